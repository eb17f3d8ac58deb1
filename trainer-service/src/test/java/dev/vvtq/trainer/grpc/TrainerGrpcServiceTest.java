package dev.vvtq.trainer.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.rpc.BadRequest;
import dev.vvtq.proto.v1.CancelJobRequest;
import dev.vvtq.proto.v1.CheckpointInfo;
import dev.vvtq.proto.v1.ExportModelRequest;
import dev.vvtq.proto.v1.ExportModelResponse;
import dev.vvtq.proto.v1.GetJobRequest;
import dev.vvtq.proto.v1.Job;
import dev.vvtq.proto.v1.JobEvent;
import dev.vvtq.proto.v1.JobKind;
import dev.vvtq.proto.v1.JobState;
import dev.vvtq.proto.v1.LabelSpec;
import dev.vvtq.proto.v1.ListCheckpointsRequest;
import dev.vvtq.proto.v1.ListJobsRequest;
import dev.vvtq.proto.v1.SubmitLabelJobRequest;
import dev.vvtq.proto.v1.SubmitTrainJobRequest;
import dev.vvtq.proto.v1.TrainSpec;
import dev.vvtq.proto.v1.TrainerGrpc;
import dev.vvtq.proto.v1.WatchJobRequest;
import dev.vvtq.trainer.testing.TrainerClient;
import dev.vvtq.trainer.testing.TrainerStoreResource;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.quarkus.grpc.runtime.GrpcServer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Every Trainer RPC and its error cases, through a real gRPC client against the running service. */
@QuarkusTest
@QuarkusTestResource(TrainerStoreResource.class)
class TrainerGrpcServiceTest {
  @Inject
  GrpcServer grpcServer;

  @ConfigProperty(name = "vvtq.test.data")
  String data;

  @ConfigProperty(name = "vvtq.test.store-root")
  String storeRoot;

  private TrainerClient client;

  @BeforeEach
  void connect() {
    client = new TrainerClient(grpcServer.getPort());
  }

  @AfterEach
  void disconnect() throws Exception {
    client.close();
  }

  /** Float teacher, soft labels from it, W4A4 QAT with KD + regulariser from it, export: the whole recipe as jobs. */
  @Test
  void teacherLabelsQatAndExport() throws Exception {
    Job teacher = client.submit(TrainerClient.tinySpec(data, 4).setRunId("fp-teacher").build());
    assertEquals("fp-teacher", teacher.getId());
    assertEquals(JobKind.JOB_KIND_TRAIN, teacher.getKind());
    List<JobEvent> events = client.watchToEnd(teacher.getId());
    assertEquals(JobEvent.EventCase.STATE_CHANGE, events.get(0).getEventCase(), "first event is the current state");
    assertTrue(events.stream().anyMatch(JobEvent::hasProgress), "progress events");
    List<JobEvent> epochs = events.stream().filter(JobEvent::hasEpochEnd).toList();
    assertEquals(4, epochs.size(), "one epoch summary per pass");
    assertTrue(epochs.stream().allMatch(e -> e.getEpochEnd().getCheckpoint().startsWith("runs/fp-teacher/checkpoints/")));
    JobEvent last = events.get(events.size() - 1);
    assertEquals(JobState.JOB_STATE_SUCCEEDED, last.getStateChange(), "the stream ends with the terminal state");
    assertTrue(events.stream().anyMatch(JobEvent::hasResult));

    Job done = client.stub().getJob(GetJobRequest.newBuilder().setId("fp-teacher").build());
    assertEquals(JobState.JOB_STATE_SUCCEEDED, done.getState());
    assertTrue(done.getResult().getBestTop1() > 60, "teacher val top-1 " + done.getResult().getBestTop1());
    assertTrue(done.hasStarted() && done.hasFinished());
    String best = done.getResult().getBestCheckpoint();
    assertTrue(Files.isRegularFile(Path.of(storeRoot, "runs/fp-teacher/run.json")), "the job record is in the store");

    List<CheckpointInfo> ckpts = client.stub().listCheckpoints(ListCheckpointsRequest.newBuilder().setRunId("fp-teacher").build())
        .getCheckpointsList();
    assertEquals(4, ckpts.size());
    assertEquals(1, ckpts.stream().filter(CheckpointInfo::getBest).count());
    assertEquals(best, ckpts.stream().filter(CheckpointInfo::getBest).findFirst().orElseThrow().getKey());
    assertTrue(ckpts.get(ckpts.size() - 1).getLatest(), "the last checkpoint is the latest");
    assertTrue(ckpts.stream().allMatch(c -> c.getBytes() > 0 && c.getValTop1() >= 0));

    // A watcher that comes after the end gets the state and outcome, and its stream ends.
    List<JobEvent> late = client.watchToEnd("fp-teacher");
    assertEquals(JobState.JOB_STATE_SUCCEEDED, late.get(0).getStateChange());
    assertTrue(late.get(late.size() - 1).hasResult());

    Job label = client.stub().submitLabelJob(SubmitLabelJobRequest.newBuilder().setSpec(LabelSpec.newBuilder()
        .setTeacherCheckpoint("runs/fp-teacher/checkpoints/best").setData(data).setOutName("fp-teacher")
        .setCrops(3).setTopk(3).setBatchSize(32)).build());
    assertEquals(JobKind.JOB_KIND_LABEL, label.getKind());
    assertEquals("softlabels/fp-teacher", label.getOutput());
    List<JobEvent> labelEvents = client.watchToEnd(label.getId());
    assertEquals(JobState.JOB_STATE_SUCCEEDED, labelEvents.get(labelEvents.size() - 1).getStateChange(), labelEvents.toString());
    assertTrue(labelEvents.stream().anyMatch(e -> e.hasProgress() && e.getProgress().getImagesTotal() == 48));
    Job labelled = client.stub().getJob(GetJobRequest.newBuilder().setId(label.getId()).build());
    assertEquals(48, labelled.getResult().getImagesLabelled());
    assertTrue(Files.isRegularFile(Path.of(storeRoot, "softlabels/fp-teacher/manifest.json")));
    assertCode(Status.Code.ALREADY_EXISTS, () -> client.stub().submitLabelJob(SubmitLabelJobRequest.newBuilder()
        .setSpec(label.getLabel()).build()));

    Job qat = client.submit(TrainerClient.tinySpec(data, 3).setRunId("w4a4").setWbits(4).setAbits(4).setReg(true)
        .setNumCrops(2).setSoftlabelPath("softlabels/fp-teacher").setSoftLabelType("marginal_renorm")
        .setFinetune("runs/fp-teacher@best").setLr(1e-3).build());
    List<JobEvent> qatEvents = client.watchToEnd(qat.getId());
    assertEquals(JobState.JOB_STATE_SUCCEEDED, qatEvents.get(qatEvents.size() - 1).getStateChange(), qatEvents.toString());
    assertTrue(qatEvents.stream().anyMatch(e -> e.hasProgress() && e.getProgress().getOscillationCount() > 0),
        "QAT progress carries oscillation statistics per layer");
    assertTrue(qatEvents.stream().anyMatch(e -> e.hasProgress() && e.getProgress().getLambda() > 0),
        "the regulariser's weight rises during the run");

    ExportModelResponse exported = client.stub().exportModel(ExportModelRequest.newBuilder()
        .setCheckpoint("runs/w4a4@best").setName("tiny-w4a4").build());
    assertEquals("models/tiny-w4a4/1", exported.getModelKey());
    assertEquals("deit_pico_patch4_16", exported.getArchitecture());
    assertEquals(4, exported.getWbits());
    assertEquals(List.of("class0", "class1", "class2"), exported.getClassNamesList());
    assertEquals(Files.size(Path.of(storeRoot, "models/tiny-w4a4/1/model.safetensors")), exported.getBytes());
    assertTrue(exported.getCheckpoint().startsWith("runs/w4a4/checkpoints/"));
    assertCode(Status.Code.ALREADY_EXISTS, () -> client.stub().exportModel(ExportModelRequest.newBuilder()
        .setCheckpoint("runs/w4a4@best").setName("tiny-w4a4").build()));
    ExportModelResponse replaced = client.stub().exportModel(ExportModelRequest.newBuilder()
        .setCheckpoint("runs/w4a4").setName("tiny-w4a4").setReplace(true).build());
    assertEquals("models/tiny-w4a4/1", replaced.getModelKey());
    assertCode(Status.Code.FAILED_PRECONDITION, () -> client.stub().exportModel(ExportModelRequest.newBuilder()
        .setCheckpoint("runs/fp-teacher@best").setName("float").build()));
    assertCode(Status.Code.NOT_FOUND, () -> client.stub().exportModel(ExportModelRequest.newBuilder()
        .setCheckpoint("runs/nobody@best").build()));
    assertCode(Status.Code.INVALID_ARGUMENT, () -> client.stub().exportModel(ExportModelRequest.newBuilder()
        .setCheckpoint("/etc/passwd").build()));

    List<Job> trainJobs = client.stub().listJobs(ListJobsRequest.newBuilder().setKind(JobKind.JOB_KIND_TRAIN)
        .addStates(JobState.JOB_STATE_SUCCEEDED).build()).getJobsList();
    Set<String> ids = trainJobs.stream().map(Job::getId).collect(Collectors.toSet());
    assertTrue(ids.containsAll(Set.of("fp-teacher", "w4a4")), ids.toString());
    assertFalse(ids.contains(label.getId()), "kind filter");
    assertEquals(1, client.stub().listJobs(ListJobsRequest.newBuilder().setLimit(1).build()).getJobsCount());
  }

  @Test
  void invalidSpecIsRefusedNamingEveryField() throws Exception {
    TrainSpec bad = TrainSpec.newBuilder().setModel("deit_gigantic").setData("/no/such/data").setEpochs(0).setLr(-1)
        .setWbits(9).setSoftLabelType("fuzzy").setSaveCheckpointPath("s3://elsewhere/x").build();
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> client.submit(bad));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    for (String field : List.of("--model", "--data", "--epochs", "--lr", "--wbits", "--soft_label_type",
        "--save_checkpoint_path")) {
      assertTrue(e.getStatus().getDescription().contains(field), field + " in " + e.getStatus().getDescription());
    }
    com.google.rpc.Status details = StatusProto.fromThrowable(e);
    BadRequest badRequest = details.getDetails(0).unpack(BadRequest.class);
    Set<String> fields = badRequest.getFieldViolationsList().stream().map(BadRequest.FieldViolation::getField)
        .collect(Collectors.toSet());
    assertTrue(fields.containsAll(Set.of("model", "data", "epochs", "lr", "wbits", "soft_label_type")), fields.toString());

    assertCode(Status.Code.INVALID_ARGUMENT, () -> client.stub().submitTrainJob(SubmitTrainJobRequest.getDefaultInstance()));
    assertCode(Status.Code.INVALID_ARGUMENT, () -> client.submit(TrainerClient.tinySpec(data, 1)
        .setFinetune("runs/nobody@best").build()));
    assertCode(Status.Code.INVALID_ARGUMENT, () -> client.submit(TrainerClient.tinySpec(data, 1)
        .setSoftlabelPath("softlabels/none").build()));
    assertCode(Status.Code.INVALID_ARGUMENT, () -> client.stub().submitLabelJob(SubmitLabelJobRequest.newBuilder()
        .setSpec(LabelSpec.newBuilder().setData(data).setOutName("bad name").setCrops(0)).build()));
  }

  @Test
  void unknownIdsAreNotFound() {
    assertCode(Status.Code.NOT_FOUND, () -> client.stub().getJob(GetJobRequest.newBuilder().setId("nobody").build()));
    assertCode(Status.Code.NOT_FOUND, () -> client.stub().cancelJob(CancelJobRequest.newBuilder().setId("nobody").build()));
    assertCode(Status.Code.NOT_FOUND, () -> client.watchToEnd("nobody"));
    assertCode(Status.Code.NOT_FOUND, () -> client.stub().listCheckpoints(
        ListCheckpointsRequest.newBuilder().setRunId("nobody").build()));
    assertCode(Status.Code.INVALID_ARGUMENT, () -> client.stub().getJob(GetJobRequest.getDefaultInstance()));
    assertCode(Status.Code.INVALID_ARGUMENT, () -> client.stub().listJobs(ListJobsRequest.newBuilder().setLimit(-1).build()));
  }

  /** Cancel a running job (it checkpoints at the next step), cancel a queued one, resume the first exactly. */
  @Test
  void cancelStopsAtTheNextStepAndResumeFinishesTheRun() throws Exception {
    Job running = client.submit(TrainerClient.tinySpec(data, 40).setRunId("long").build());
    Job queued = client.submit(TrainerClient.tinySpec(data, 1).setRunId("behind").build());
    Iterator<JobEvent> watch = TrainerGrpc.newBlockingStub(client.channel()).withDeadlineAfter(300, TimeUnit.SECONDS)
        .watchJob(WatchJobRequest.newBuilder().setId(running.getId()).build());
    while (!watch.next().hasProgress()) {
      // Waits for the first step, so the cancel lands while the job runs.
    }
    Job cancelledQueued = client.stub().cancelJob(CancelJobRequest.newBuilder().setId(queued.getId()).build());
    assertEquals(JobState.JOB_STATE_CANCELLED, cancelledQueued.getState(), "a queued job is cancelled at once");
    Job cancelling = client.stub().cancelJob(CancelJobRequest.newBuilder().setId(running.getId()).build());
    assertTrue(Set.of(JobState.JOB_STATE_CANCELLING, JobState.JOB_STATE_CANCELLED).contains(cancelling.getState()));
    JobEvent end = null;
    while (watch.hasNext()) {
      end = watch.next();
    }
    assertEquals(JobState.JOB_STATE_CANCELLED, end.getStateChange());
    Job cancelled = client.stub().getJob(GetJobRequest.newBuilder().setId("long").build());
    assertTrue(cancelled.getProgress().getStep() < cancelled.getProgress().getTotalSteps(), "stopped before the end");
    List<CheckpointInfo> ckpts = client.stub().listCheckpoints(ListCheckpointsRequest.newBuilder().setRunId("long").build())
        .getCheckpointsList();
    CheckpointInfo latest = ckpts.get(ckpts.size() - 1);
    assertTrue(latest.getLatest());
    assertEquals(cancelled.getProgress().getStep(), latest.getStep(), "the cancel wrote a checkpoint at the step it stopped");
    assertCode(Status.Code.FAILED_PRECONDITION, () -> client.stub().cancelJob(CancelJobRequest.newBuilder().setId("long").build()));
    assertCode(Status.Code.ALREADY_EXISTS, () -> client.submit(TrainerClient.tinySpec(data, 1).setRunId("long").build()));

    // Resuming continues the same run from its checkpoint (fewer epochs are left, so it is quick).
    // Only the resume is given: the rest comes from the run's recorded spec (40 epochs, pico, batch 8).
    Job resumed = client.submit(TrainSpec.newBuilder().setResume("runs/long").build());
    assertEquals("long", resumed.getId());
    assertEquals(40, resumed.getTrain().getEpochs());
    assertEquals("deit_pico_patch4_16", resumed.getTrain().getModel());
    assertCode(Status.Code.ALREADY_EXISTS, () -> client.submit(TrainerClient.tinySpec(data, 40).setResume("runs/long").build()));
    Iterator<JobEvent> second = TrainerGrpc.newBlockingStub(client.channel()).withDeadlineAfter(300, TimeUnit.SECONDS)
        .watchJob(WatchJobRequest.newBuilder().setId("long").build());
    JobEvent firstStep = second.next();
    while (!firstStep.hasProgress()) {
      firstStep = second.next();
    }
    assertTrue(firstStep.getProgress().getStep() > latest.getStep(), "the resumed run starts after step " + latest.getStep());
    client.stub().cancelJob(CancelJobRequest.newBuilder().setId("long").build());
    JobEvent last = firstStep;
    while (second.hasNext()) {
      last = second.next();
    }
    assertEquals(JobState.JOB_STATE_CANCELLED, last.getStateChange());
    List<CheckpointInfo> after = client.stub().listCheckpoints(ListCheckpointsRequest.newBuilder().setRunId("long").build())
        .getCheckpointsList();
    assertTrue(after.get(after.size() - 1).getStep() > latest.getStep(), "the resumed run went on from step " + latest.getStep());
  }

  static void assertCode(Status.Code code, Executable call) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call);
    assertEquals(code, e.getStatus().getCode(), e.getStatus().toString());
    assertFalse(e.getStatus().getDescription() == null || e.getStatus().getDescription().isBlank(), "a message says why");
  }

  @Test
  void unparseableRequestBytesAreInvalidArgument() {
    for (io.grpc.MethodDescriptor<?, ?> m : List.of(dev.vvtq.proto.v1.TrainerGrpc.getSubmitTrainJobMethod(),
        dev.vvtq.proto.v1.TrainerGrpc.getWatchJobMethod())) {
      io.grpc.StatusRuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(
          io.grpc.StatusRuntimeException.class, () -> sendRaw(client.channel(), m, NOT_PROTOBUF));
      assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.toString());
      assertTrue(e.getStatus().getDescription().contains(m.getFullMethodName()), e.toString());
    }
  }

  /** Sends {@code bytes} as the request of {@code method}, as a client with a broken serializer would. */
  private static void sendRaw(io.grpc.Channel channel, io.grpc.MethodDescriptor<?, ?> method, byte[] bytes) {
    io.grpc.MethodDescriptor.Marshaller<byte[]> raw = new io.grpc.MethodDescriptor.Marshaller<>() {
      @Override
      public java.io.InputStream stream(byte[] value) {
        return new java.io.ByteArrayInputStream(value);
      }

      @Override
      public byte[] parse(java.io.InputStream stream) {
        try {
          return stream.readAllBytes();
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }
    };
    io.grpc.MethodDescriptor<byte[], byte[]> rawMethod = method.toBuilder(raw, raw).build();
    if (rawMethod.getType() == io.grpc.MethodDescriptor.MethodType.UNARY) {
      io.grpc.stub.ClientCalls.blockingUnaryCall(channel, rawMethod,
          io.grpc.CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS), bytes);
    } else {
      io.grpc.stub.ClientCalls.blockingServerStreamingCall(channel, rawMethod,
          io.grpc.CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS), bytes).forEachRemaining(b -> { });
    }
  }

  /** Not a protobuf message: field 1 with wire type 7, which does not exist. */
  private static final byte[] NOT_PROTOBUF = {(byte) 0x0F, (byte) 0xFF, (byte) 0xFF, 0x01};
}
