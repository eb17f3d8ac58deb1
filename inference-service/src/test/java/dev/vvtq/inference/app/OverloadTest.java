package dev.vvtq.inference.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.vvtq.inference.testing.SlowEngineRunnerFactory;
import dev.vvtq.inference.testing.GrpcClients;
import dev.vvtq.inference.testing.ModelStoreResource;
import dev.vvtq.inference.testing.TestImages;
import dev.vvtq.proto.v1.ClassifierGrpc;
import dev.vvtq.proto.v1.ClassifyRequest;
import dev.vvtq.proto.v1.ClassifyResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.grpc.runtime.GrpcServer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@TestProfile(SlowModelProfile.class)
@QuarkusTestResource(ModelStoreResource.class)
class OverloadTest {
  @Inject
  GrpcServer grpcServer;

  @Inject
  MeterRegistry meters;

  private GrpcClients clients;
  private final ByteString png = ByteString.copyFrom(TestImages.png(32, 32, 4));

  @BeforeEach
  void connect() throws Exception {
    clients = new GrpcClients(grpcServer.getPort());
    clients.awaitServerReady();
  }

  @AfterEach
  void disconnect() throws Exception {
    clients.close();
  }

  private ClassifyRequest request() {
    return ClassifyRequest.newBuilder().setModel("tiny").setImage(png).build();
  }

  @Test
  void aFullQueueAnswersResourceExhaustedAtOnce() throws Exception {
    ClassifierGrpc.ClassifierFutureStub stub = ClassifierGrpc.newFutureStub(clients.channel());
    // One computing, two queued (capacity 2): every further request is refused.
    List<com.google.common.util.concurrent.ListenableFuture<ClassifyResponse>> calls = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      calls.add(stub.classify(request()));
    }
    Map<Status.Code, Integer> codes = new EnumMap<>(Status.Code.class);
    String exhaustedMessage = null;
    for (var call : calls) {
      try {
        call.get(30, TimeUnit.SECONDS);
        codes.merge(Status.Code.OK, 1, Integer::sum);
      } catch (java.util.concurrent.ExecutionException e) {
        Status s = Status.fromThrowable(e.getCause());
        codes.merge(s.getCode(), 1, Integer::sum);
        if (s.getCode() == Status.Code.RESOURCE_EXHAUSTED) {
          exhaustedMessage = s.getDescription();
        }
      }
    }
    assertTrue(codes.getOrDefault(Status.Code.RESOURCE_EXHAUSTED, 0) >= 5, codes.toString());
    assertTrue(codes.getOrDefault(Status.Code.OK, 0) >= 1, codes.toString());
    assertEquals(10, codes.getOrDefault(Status.Code.OK, 0) + codes.getOrDefault(Status.Code.RESOURCE_EXHAUSTED, 0),
        codes.toString());
    assertTrue(exhaustedMessage.contains("queue capacity"), exhaustedMessage);
  }

  @Test
  void aRequestWhoseDeadlinePassesInTheQueueIsNeverComputed() throws Exception {
    ClassifierGrpc.ClassifierBlockingStub stub = clients.classifier();
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      // Occupies the engine for 100 ms.
      CompletableFuture<ClassifyResponse> blocker = CompletableFuture.supplyAsync(() -> stub.classify(request()), pool);
      Thread.sleep(30);
      long computedBefore = SlowEngineRunnerFactory.IMAGES_COMPUTED.get();
      double droppedBefore = dropped();
      StatusRuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
          () -> stub.withDeadlineAfter(40, TimeUnit.MILLISECONDS).classify(request()));
      assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
      blocker.get(10, TimeUnit.SECONDS);
      // The expired request leaves the queue when the engine is free again: dropped, not computed.
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (dropped() == droppedBefore && System.nanoTime() < until) {
        Thread.sleep(10);
      }
      assertEquals(droppedBefore + 1, dropped(), 0.0);
      assertEquals(computedBefore + 1, SlowEngineRunnerFactory.IMAGES_COMPUTED.get(), "only the blocker was computed");
    } finally {
      pool.shutdownNow();
    }
  }

  private double dropped() {
    Counter c = meters.find("vvtq.inference.dropped").tags("model", "tiny").counter();
    return c == null ? 0 : meters.find("vvtq.inference.dropped").tags("model", "tiny").counters().stream()
        .mapToDouble(Counter::count).sum();
  }
}
