package dev.vvtq.evaluator.grpc;

import dev.vvtq.evaluator.scoring.DatasetSplits;
import dev.vvtq.evaluator.scoring.EvaluationRecords;
import dev.vvtq.evaluator.scoring.EvaluationRunner;
import dev.vvtq.grpc.GrpcStatuses;
import dev.vvtq.grpc.MalformedRequests;
import dev.vvtq.proto.v1.ArtifactRef;
import dev.vvtq.proto.v1.EvaluateBatchRequest;
import dev.vvtq.proto.v1.EvaluateBatchResponse;
import dev.vvtq.proto.v1.EvaluateEvent;
import dev.vvtq.proto.v1.EvaluateRequest;
import dev.vvtq.proto.v1.Evaluation;
import dev.vvtq.proto.v1.EvaluationRow;
import dev.vvtq.proto.v1.EvaluatorGrpc;
import dev.vvtq.proto.v1.GetEvaluationRequest;
import dev.vvtq.proto.v1.ListEvaluationsRequest;
import dev.vvtq.proto.v1.ListEvaluationsResponse;
import dev.vvtq.qat.data.ImageFolder;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;

/** vvtq.v1.Evaluator: thin handlers that check the request, run it through the evaluation runner, and answer. */
@GrpcService
public class EvaluatorGrpcService extends EvaluatorGrpc.EvaluatorImplBase {
  static final int DEFAULT_LIST_LIMIT = 100;

  private final EvaluationRunner runner;
  private final EvaluationRecords records;

  public EvaluatorGrpcService(EvaluationRunner runner, EvaluationRecords records) {
    this.runner = runner;
    this.records = records;
  }

  /** Unparseable request bytes answer INVALID_ARGUMENT, not grpc-java's UNKNOWN. */
  @Override
  public ServerServiceDefinition bindService() {
    return MalformedRequests.refuse(super.bindService());
  }

  @Override
  @Blocking
  public void evaluate(EvaluateRequest request, StreamObserver<EvaluateEvent> out) {
    String id = EvaluationRunner.newId();
    try {
      EvaluationRunner.checkCommon(request.getBatchSize(), request.getLimit());
      ImageFolder split = DatasetSplits.resolve(request.getDataset());
      EvaluationRunner.Request r = new EvaluationRunner.Request(request.getArtifact(), split, request.getDataset(),
          request.getEngine(), request.getBatchSize(), request.getLimit(), request.getConfusionMatrix());
      runner.check(r);
      Evaluation result = runner.run(id, r,
          p -> out.onNext(EvaluateEvent.newBuilder().setEvaluationId(id).setProgress(p).build()));
      out.onNext(EvaluateEvent.newBuilder().setEvaluationId(id).setResult(result).build());
      out.onCompleted();
    } catch (Exception e) {
      out.onError(GrpcStatuses.toStatus(e).asRuntimeException());
    }
  }

  @Override
  @Blocking
  public void evaluateBatch(EvaluateBatchRequest request, StreamObserver<EvaluateBatchResponse> out) {
    EvaluateBatchResponse.Builder table = EvaluateBatchResponse.newBuilder().setDataset(request.getDataset());
    try {
      EvaluationRunner.checkCommon(request.getBatchSize(), request.getLimit());
      if (request.getArtifactsCount() == 0) {
        throw new IllegalArgumentException("artifacts: at least one checkpoint or model");
      }
      ImageFolder split = DatasetSplits.resolve(request.getDataset());
      for (ArtifactRef ref : request.getArtifactsList()) {
        EvaluationRow.Builder row = EvaluationRow.newBuilder().setArtifact(ref);
        try {
          EvaluationRunner.Request r = new EvaluationRunner.Request(ref, split, request.getDataset(), request.getEngine(),
              request.getBatchSize(), request.getLimit(), false);
          runner.check(r);
          Evaluation e = runner.run(EvaluationRunner.newId(), r, null);
          row.setEvaluation(e);
          table.setImages(e.getImages());
        } catch (Exception e) {
          // One artifact's failure is its row's; the others are still scored.
          Status s = GrpcStatuses.toStatus(e);
          row.setErrorCode(s.getCode().value()).setError(s.getDescription() == null ? s.getCode().name() : s.getDescription());
        }
        table.addRows(row);
      }
    } catch (Exception e) {
      out.onError(GrpcStatuses.toStatus(e).asRuntimeException());
      return;
    }
    out.onNext(table.build());
    out.onCompleted();
  }

  @Override
  @Blocking
  public void getEvaluation(GetEvaluationRequest request, StreamObserver<Evaluation> out) {
    Evaluation e;
    try {
      e = records.get(request.getId());
    } catch (Exception failure) {
      out.onError(GrpcStatuses.toStatus(failure).asRuntimeException());
      return;
    }
    out.onNext(e);
    out.onCompleted();
  }

  @Override
  @Blocking
  public void listEvaluations(ListEvaluationsRequest request, StreamObserver<ListEvaluationsResponse> out) {
    ListEvaluationsResponse response;
    try {
      if (request.getLimit() < 0) {
        throw new IllegalArgumentException("limit: must be >= 0 (0 = " + DEFAULT_LIST_LIMIT + "), got " + request.getLimit());
      }
      int limit = request.getLimit() == 0 ? DEFAULT_LIST_LIMIT : request.getLimit();
      response = ListEvaluationsResponse.newBuilder().addAllEvaluations(records.list(request.getArtifact(), limit)).build();
    } catch (Exception failure) {
      out.onError(GrpcStatuses.toStatus(failure).asRuntimeException());
      return;
    }
    out.onNext(response);
    out.onCompleted();
  }
}
