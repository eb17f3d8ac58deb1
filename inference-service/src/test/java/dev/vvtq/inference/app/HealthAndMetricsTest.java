package dev.vvtq.inference.app;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.vvtq.inference.testing.GrpcClients;
import dev.vvtq.inference.testing.ModelStoreResource;
import dev.vvtq.inference.testing.TestImages;
import dev.vvtq.proto.v1.ClassifierGrpc;
import dev.vvtq.proto.v1.ClassifyRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse;
import grpc.health.v1.HealthGrpc;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.grpc.runtime.GrpcServer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(ModelStoreResource.class)
class HealthAndMetricsTest {
  @Inject
  GrpcServer grpcServer;

  @Inject
  MeterRegistry meters;

  private GrpcClients clients;

  @BeforeEach
  void connect() throws Exception {
    clients = new GrpcClients(grpcServer.getPort());
    clients.awaitServerReady();
  }

  @AfterEach
  void disconnect() throws Exception {
    clients.close();
  }

  @Test
  void healthEndpointsReportReadyModels() {
    given().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    given().when().get("/q/health/ready").then().statusCode(200)
        .body("status", equalTo("UP"))
        .body("checks.find { it.name == 'models' }.data.tiny", equalTo("READY"));
  }

  @Test
  void grpcHealthServiceServes() {
    HealthCheckResponse r = HealthGrpc.newBlockingStub(clients.channel()).check(HealthCheckRequest.getDefaultInstance());
    assertEquals(HealthCheckResponse.ServingStatus.SERVING, r.getStatus());
  }

  @Test
  void concurrentRequestsAreBatchedTogether() throws Exception {
    DistributionSummary batches = meters.get("vvtq.inference.batch.size").tag("model", "tiny").summary();
    long batchesBefore = batches.count();
    double imagesBefore = batches.totalAmount();
    ByteString png = ByteString.copyFrom(TestImages.png(32, 32, 3));
    ClassifierGrpc.ClassifierBlockingStub stub = clients.classifier();
    int clientsCount = 8;
    int perClient = 12;
    ExecutorService pool = Executors.newFixedThreadPool(clientsCount);
    try {
      List<CompletableFuture<Integer>> done = new ArrayList<>();
      for (int c = 0; c < clientsCount; c++) {
        done.add(CompletableFuture.supplyAsync(() -> {
          int largest = 0;
          for (int i = 0; i < perClient; i++) {
            largest = Math.max(largest, stub.classify(ClassifyRequest.newBuilder().setModel("tiny").setImage(png).build())
                .getTiming().getBatchSize());
          }
          return largest;
        }, pool));
      }
      int largestSeen = 0;
      for (CompletableFuture<Integer> f : done) {
        largestSeen = Math.max(largestSeen, f.get(60, TimeUnit.SECONDS));
      }
      long batchCount = batches.count() - batchesBefore;
      double images = batches.totalAmount() - imagesBefore;
      assertEquals(clientsCount * perClient, images, 0.0);
      assertTrue(batchCount < images, batchCount + " batches for " + images + " images: no batching happened");
      assertTrue(largestSeen > 1, "largest batch " + largestSeen);
      assertTrue(batches.max() > 1, "batch size histogram max " + batches.max());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void prometheusEndpointExposesTheServiceMeters() {
    clients.classifier().classify(ClassifyRequest.newBuilder().setModel("tiny")
        .setImage(ByteString.copyFrom(TestImages.png(16, 16, 1))).build());
    given().when().get("/q/metrics").then().statusCode(200)
        .body(containsString("vvtq_inference_requests_total{method=\"Classify\",model=\"tiny\",status=\"OK\"}"))
        .body(containsString("vvtq_inference_request_latency_seconds_bucket{method=\"Classify\",model=\"tiny\""))
        .body(containsString("vvtq_inference_batch_size_bucket{model=\"tiny\""))
        .body(containsString("vvtq_inference_queue_depth{model=\"tiny\"}"));
  }
}
