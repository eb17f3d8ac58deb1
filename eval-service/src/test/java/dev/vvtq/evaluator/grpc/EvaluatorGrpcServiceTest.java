package dev.vvtq.evaluator.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vvtq.evaluator.testing.EvalStoreResource;
import dev.vvtq.evaluator.testing.TrainedArtifacts;
import dev.vvtq.proto.v1.ArtifactRef;
import dev.vvtq.proto.v1.EvalEngine;
import dev.vvtq.proto.v1.EvaluateBatchRequest;
import dev.vvtq.proto.v1.EvaluateBatchResponse;
import dev.vvtq.proto.v1.EvaluateEvent;
import dev.vvtq.proto.v1.EvaluateRequest;
import dev.vvtq.proto.v1.Evaluation;
import dev.vvtq.proto.v1.EvaluationState;
import dev.vvtq.proto.v1.EvaluatorGrpc;
import dev.vvtq.proto.v1.GetEvaluationRequest;
import dev.vvtq.proto.v1.ListEvaluationsRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.runtime.GrpcServer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Every Evaluator RPC and its error cases, through a real gRPC client, on artifacts trained for the test. */
@QuarkusTest
@QuarkusTestResource(EvalStoreResource.class)
class EvaluatorGrpcServiceTest {
  static final ArtifactRef FLOAT = ArtifactRef.newBuilder().setCheckpoint(TrainedArtifacts.FLOAT_RUN).build();
  static final ArtifactRef QUANT = ArtifactRef.newBuilder().setCheckpoint("runs/q/checkpoints/best").build();
  static final ArtifactRef MODEL = ArtifactRef.newBuilder().setModel(TrainedArtifacts.MODEL).build();

  @Inject
  GrpcServer grpcServer;

  @ConfigProperty(name = "vvtq.test.data")
  String data;

  @ConfigProperty(name = "vvtq.test.two-classes")
  String twoClasses;

  @ConfigProperty(name = "vvtq.test.store-root")
  String storeRoot;

  private ManagedChannel channel;

  @BeforeEach
  void connect() throws Exception {
    TrainedArtifacts.ensure(storeRoot, data);
    channel = ManagedChannelBuilder.forAddress("localhost", grpcServer.getPort()).usePlaintext().build();
  }

  @AfterEach
  void disconnect() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  private EvaluatorGrpc.EvaluatorBlockingStub stub() {
    return EvaluatorGrpc.newBlockingStub(channel).withDeadlineAfter(120, TimeUnit.SECONDS);
  }

  private List<EvaluateEvent> evaluate(EvaluateRequest r) {
    List<EvaluateEvent> events = new ArrayList<>();
    Iterator<EvaluateEvent> it = stub().evaluate(r);
    it.forEachRemaining(events::add);
    return events;
  }

  @Test
  void checkpointIsScoredOnDjlWithProgressThenTheStoredResult() throws Exception {
    List<EvaluateEvent> events = evaluate(EvaluateRequest.newBuilder().setArtifact(QUANT).setDataset(data).setBatchSize(4)
        .setConfusionMatrix(true).build());
    List<EvaluateEvent> progress = events.stream().filter(EvaluateEvent::hasProgress).toList();
    assertTrue(progress.size() >= 2, "progress per batch: " + progress.size());
    assertEquals(18, progress.get(progress.size() - 1).getProgress().getImagesDone());
    assertEquals(18, progress.get(0).getProgress().getImagesTotal());
    EvaluateEvent last = events.get(events.size() - 1);
    assertTrue(last.hasResult(), "the result comes last");
    Evaluation e = last.getResult();
    assertEquals(EvaluationState.EVALUATION_STATE_SUCCEEDED, e.getState());
    assertEquals(EvalEngine.EVAL_ENGINE_DJL, e.getEngine());
    assertEquals(18, e.getImages());
    assertEquals(3, e.getPerClassCount());
    assertEquals(List.of("class0", "class1", "class2"), e.getPerClassList().stream().map(c -> c.getLabel()).toList());
    assertEquals(6, e.getPerClass(0).getImages());
    assertEquals(9, e.getConfusion().getCountsCount());
    assertEquals(18, e.getConfusion().getCountsList().stream().mapToLong(Long::longValue).sum());
    assertTrue(e.getTop1() >= 0 && e.getTop5() == 100.0, "top-5 of 3 classes is every image");
    assertTrue(e.getImagesPerSecond() > 0);
    assertEquals(64, e.getArtifactSha256().length());
    assertTrue(e.getId().startsWith("eval-") && progress.get(0).getEvaluationId().equals(e.getId()));
    assertTrue(Files.isRegularFile(Path.of(storeRoot, "evaluations", e.getId() + ".json")));
    assertEquals(e, stub().getEvaluation(GetEvaluationRequest.newBuilder().setId(e.getId()).build()));
    List<Evaluation> ofQuant = stub().listEvaluations(ListEvaluationsRequest.newBuilder().setArtifact(QUANT).build())
        .getEvaluationsList();
    assertTrue(ofQuant.stream().anyMatch(x -> x.getId().equals(e.getId())));
    assertTrue(ofQuant.stream().allMatch(x -> x.getArtifact().equals(QUANT)), "filtered by artifact");
  }

  @Test
  void exportedModelIsScoredWithTheIntegerEngineLikeItsCheckpoint() {
    Evaluation fake = evaluate(EvaluateRequest.newBuilder().setArtifact(QUANT).setDataset(data).build()).stream()
        .filter(EvaluateEvent::hasResult).findFirst().orElseThrow().getResult();
    Evaluation integer = evaluate(EvaluateRequest.newBuilder().setArtifact(MODEL).setDataset(data).build()).stream()
        .filter(EvaluateEvent::hasResult).findFirst().orElseThrow().getResult();
    assertEquals(EvalEngine.EVAL_ENGINE_INT, integer.getEngine());
    assertEquals(18, integer.getImages());
    assertFalse(integer.hasConfusion(), "no confusion matrix unless asked");
    assertTrue(Math.abs(integer.getTop1() - fake.getTop1()) <= 100.0 * 2 / 18 + 1e-9,
        "integer top-1 " + integer.getTop1() + " vs fake-quantized " + fake.getTop1());
    Evaluation limited = evaluate(EvaluateRequest.newBuilder().setArtifact(MODEL).setDataset(data).setLimit(7)
        .setEngine(EvalEngine.EVAL_ENGINE_INT).build()).stream()
        .filter(EvaluateEvent::hasResult).findFirst().orElseThrow().getResult();
    assertEquals(7, limited.getImages());
  }

  @Test
  void badRequestsAreRefusedWithClearCodes() {
    assertCode(Status.Code.INVALID_ARGUMENT, () -> evaluate(EvaluateRequest.newBuilder().setDataset(data).build()));
    assertCode(Status.Code.INVALID_ARGUMENT, () -> evaluate(EvaluateRequest.newBuilder().setArtifact(QUANT).build()));
    assertCode(Status.Code.INVALID_ARGUMENT, () -> evaluate(EvaluateRequest.newBuilder().setArtifact(QUANT)
        .setDataset("/no/such/folder").build()));
    assertCode(Status.Code.INVALID_ARGUMENT, () -> evaluate(EvaluateRequest.newBuilder().setArtifact(QUANT).setDataset(data)
        .setLimit(-1).build()));
    assertCode(Status.Code.INVALID_ARGUMENT, () -> evaluate(EvaluateRequest.newBuilder().setArtifact(QUANT).setDataset(data)
        .setEngine(EvalEngine.EVAL_ENGINE_INT).build()));
    assertCode(Status.Code.INVALID_ARGUMENT, () -> evaluate(EvaluateRequest.newBuilder().setArtifact(MODEL).setDataset(data)
        .setEngine(EvalEngine.EVAL_ENGINE_DJL).build()));
    assertCode(Status.Code.INVALID_ARGUMENT, () -> evaluate(EvaluateRequest.newBuilder()
        .setArtifact(ArtifactRef.newBuilder().setModel("not-a-key")).setDataset(data).build()));
    assertCode(Status.Code.NOT_FOUND, () -> evaluate(EvaluateRequest.newBuilder()
        .setArtifact(ArtifactRef.newBuilder().setCheckpoint("runs/nobody@best")).setDataset(data).build()));
    assertCode(Status.Code.NOT_FOUND, () -> evaluate(EvaluateRequest.newBuilder()
        .setArtifact(ArtifactRef.newBuilder().setModel("models/nobody/1")).setDataset(data).build()));
    assertCode(Status.Code.NOT_FOUND, () -> stub().getEvaluation(GetEvaluationRequest.newBuilder().setId("eval-none").build()));
    assertCode(Status.Code.INVALID_ARGUMENT, () -> stub().getEvaluation(GetEvaluationRequest.newBuilder().setId("../x").build()));
    assertCode(Status.Code.INVALID_ARGUMENT, () -> stub().listEvaluations(ListEvaluationsRequest.newBuilder().setLimit(-1).build()));
  }

  @Test
  void aFailureDuringScoringIsStoredAsAFailedEvaluation() {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> evaluate(EvaluateRequest.newBuilder()
        .setArtifact(FLOAT).setDataset(twoClasses).build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().contains("3 classes"), e.getStatus().getDescription());
    List<Evaluation> failed = stub().listEvaluations(ListEvaluationsRequest.newBuilder().setArtifact(FLOAT).build())
        .getEvaluationsList().stream().filter(x -> x.getState() == EvaluationState.EVALUATION_STATE_FAILED).toList();
    assertFalse(failed.isEmpty(), "the failed evaluation is stored");
    assertTrue(failed.get(0).getError().contains("classes"), failed.get(0).getError());
  }

  @Test
  void batchScoresEveryArtifactAndKeepsFailuresInTheirRows() {
    ArtifactRef missing = ArtifactRef.newBuilder().setCheckpoint("runs/nobody@best").build();
    ArtifactRef bad = ArtifactRef.newBuilder().setModel("nonsense").build();
    EvaluateBatchResponse table = stub().evaluateBatch(EvaluateBatchRequest.newBuilder().addArtifacts(FLOAT)
        .addArtifacts(missing).addArtifacts(MODEL).addArtifacts(bad).setDataset(data).setLimit(9).build());
    assertEquals(4, table.getRowsCount());
    assertEquals(9, table.getImages());
    assertEquals(FLOAT, table.getRows(0).getArtifact());
    assertEquals(EvalEngine.EVAL_ENGINE_DJL, table.getRows(0).getEvaluation().getEngine());
    assertEquals(9, table.getRows(0).getEvaluation().getImages());
    assertEquals(Status.Code.NOT_FOUND.value(), table.getRows(1).getErrorCode());
    assertTrue(table.getRows(1).getError().contains("nobody"), table.getRows(1).getError());
    assertEquals(EvalEngine.EVAL_ENGINE_INT, table.getRows(2).getEvaluation().getEngine());
    assertEquals(Status.Code.INVALID_ARGUMENT.value(), table.getRows(3).getErrorCode());
    assertFalse(table.getRows(1).hasEvaluation());
    assertCode(Status.Code.INVALID_ARGUMENT, () -> stub().evaluateBatch(EvaluateBatchRequest.newBuilder().setDataset(data).build()));
    assertCode(Status.Code.INVALID_ARGUMENT, () -> stub().evaluateBatch(EvaluateBatchRequest.newBuilder().addArtifacts(FLOAT)
        .setDataset("/no/such/folder").build()));
  }

  static void assertCode(Status.Code code, Executable call) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call);
    assertEquals(code, e.getStatus().getCode(), e.getStatus().toString());
    assertFalse(e.getStatus().getDescription() == null || e.getStatus().getDescription().isBlank(), "a message says why");
  }

  @Test
  void unparseableRequestBytesAreInvalidArgument() {
    io.grpc.MethodDescriptor<?, ?> m = dev.vvtq.proto.v1.EvaluatorGrpc.getEvaluateMethod();
    io.grpc.StatusRuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(
        io.grpc.StatusRuntimeException.class, () -> sendRaw(channel, m, NOT_PROTOBUF));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.toString());
    assertTrue(e.getStatus().getDescription().contains(m.getFullMethodName()), e.toString());
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
