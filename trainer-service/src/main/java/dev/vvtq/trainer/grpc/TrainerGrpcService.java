package dev.vvtq.trainer.grpc;

import dev.vvtq.grpc.MalformedRequests;
import dev.vvtq.proto.v1.CancelJobRequest;
import dev.vvtq.proto.v1.ExportModelRequest;
import dev.vvtq.proto.v1.ExportModelResponse;
import dev.vvtq.proto.v1.GetJobRequest;
import dev.vvtq.proto.v1.Job;
import dev.vvtq.proto.v1.JobEvent;
import dev.vvtq.proto.v1.JobState;
import dev.vvtq.proto.v1.ListCheckpointsRequest;
import dev.vvtq.proto.v1.ListCheckpointsResponse;
import dev.vvtq.proto.v1.ListJobsRequest;
import dev.vvtq.proto.v1.ListJobsResponse;
import dev.vvtq.proto.v1.SubmitLabelJobRequest;
import dev.vvtq.proto.v1.SubmitTrainJobRequest;
import dev.vvtq.proto.v1.TrainerGrpc;
import dev.vvtq.proto.v1.WatchJobRequest;
import dev.vvtq.trainer.artifacts.CheckpointCatalog;
import dev.vvtq.trainer.artifacts.ModelExports;
import dev.vvtq.trainer.jobs.JobManager;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import java.util.EnumSet;
import java.util.Set;

/** vvtq.v1.Trainer: thin handlers that check the request, call the job manager or the store, and answer. */
@GrpcService
public class TrainerGrpcService extends TrainerGrpc.TrainerImplBase {
  static final int DEFAULT_LIST_LIMIT = 100;

  private final JobManager jobs;
  private final CheckpointCatalog checkpoints;
  private final ModelExports exports;

  public TrainerGrpcService(JobManager jobs, CheckpointCatalog checkpoints, ModelExports exports) {
    this.jobs = jobs;
    this.checkpoints = checkpoints;
    this.exports = exports;
  }

  /** Unparseable request bytes answer INVALID_ARGUMENT, not grpc-java's UNKNOWN. */
  @Override
  public ServerServiceDefinition bindService() {
    return MalformedRequests.refuse(super.bindService());
  }

  @Override
  @Blocking
  public void submitTrainJob(SubmitTrainJobRequest request, StreamObserver<Job> out) {
    unary(out, () -> {
      if (!request.hasSpec()) {
        throw new IllegalArgumentException("spec: required");
      }
      return jobs.submitTrain(request.getSpec()).snapshot();
    });
  }

  @Override
  @Blocking
  public void submitLabelJob(SubmitLabelJobRequest request, StreamObserver<Job> out) {
    unary(out, () -> {
      if (!request.hasSpec()) {
        throw new IllegalArgumentException("spec: required");
      }
      return jobs.submitLabel(request.getSpec()).snapshot();
    });
  }

  @Override
  @Blocking
  public void getJob(GetJobRequest request, StreamObserver<Job> out) {
    unary(out, () -> jobs.get(requireId(request.getId())));
  }

  @Override
  @Blocking
  public void listJobs(ListJobsRequest request, StreamObserver<ListJobsResponse> out) {
    unary(out, () -> {
      if (request.getLimit() < 0) {
        throw new IllegalArgumentException("limit: must be >= 0 (0 = " + DEFAULT_LIST_LIMIT + "), got " + request.getLimit());
      }
      Set<JobState> states = EnumSet.noneOf(JobState.class);
      for (JobState s : request.getStatesList()) {
        if (s == JobState.UNRECOGNIZED || s == JobState.JOB_STATE_UNSPECIFIED) {
          throw new IllegalArgumentException("states: unknown state value " + s);
        }
        states.add(s);
      }
      int limit = request.getLimit() == 0 ? DEFAULT_LIST_LIMIT : request.getLimit();
      return ListJobsResponse.newBuilder().addAllJobs(jobs.list(states, request.getKind(), limit)).build();
    });
  }

  @Override
  @Blocking
  public void watchJob(WatchJobRequest request, StreamObserver<JobEvent> out) {
    try {
      jobs.watch(requireId(request.getId()), dev.vvtq.trainer.jobs.Job.JobWatcher.of(out));
    } catch (Exception e) {
      out.onError(GrpcErrors.toStatus(e));
    }
  }

  @Override
  @Blocking
  public void cancelJob(CancelJobRequest request, StreamObserver<Job> out) {
    unary(out, () -> jobs.cancel(requireId(request.getId())));
  }

  @Override
  @Blocking
  public void listCheckpoints(ListCheckpointsRequest request, StreamObserver<ListCheckpointsResponse> out) {
    unary(out, () -> ListCheckpointsResponse.newBuilder()
        .addAllCheckpoints(checkpoints.list(request.getRunId())).build());
  }

  @Override
  @Blocking
  public void exportModel(ExportModelRequest request, StreamObserver<ExportModelResponse> out) {
    unary(out, () -> exports.export(request));
  }

  private static String requireId(String id) {
    if (id == null || id.isBlank()) {
      throw new IllegalArgumentException("id: required");
    }
    return id;
  }

  private interface Call<T> {
    T call() throws Exception;
  }

  private static <T> void unary(StreamObserver<T> out, Call<T> call) {
    T response;
    try {
      response = call.call();
    } catch (Exception e) {
      out.onError(GrpcErrors.toStatus(e));
      return;
    }
    out.onNext(response);
    out.onCompleted();
  }

}
