package dev.vvtq.evaluator.app;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vvtq.evaluator.testing.EvalStoreResource;
import dev.vvtq.evaluator.testing.TrainedArtifacts;
import dev.vvtq.proto.v1.ArtifactRef;
import dev.vvtq.proto.v1.EvaluateRequest;
import dev.vvtq.proto.v1.EvaluatorGrpc;
import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.runtime.GrpcServer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(EvalStoreResource.class)
class HealthAndMetricsTest {
  @Inject
  GrpcServer grpcServer;

  @ConfigProperty(name = "vvtq.test.data")
  String data;

  @ConfigProperty(name = "vvtq.test.store-root")
  String storeRoot;

  private ManagedChannel channel;

  @BeforeEach
  void connect() {
    channel = ManagedChannelBuilder.forAddress("localhost", grpcServer.getPort()).usePlaintext().build();
  }

  @AfterEach
  void disconnect() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void healthEndpointsReportTheStore() {
    given().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    given().when().get("/q/health/ready").then().statusCode(200)
        .body("status", equalTo("UP"))
        .body("checks.find { it.name == 'artifact-store' }.status", equalTo("UP"));
  }

  @Test
  void reflectionListsTheService() throws Exception {
    CompletableFuture<List<String>> names = new CompletableFuture<>();
    StreamObserver<ServerReflectionRequest> requests =
        ServerReflectionGrpc.newStub(channel).serverReflectionInfo(new StreamObserver<>() {
          @Override
          public void onNext(ServerReflectionResponse r) {
            names.complete(r.getListServicesResponse().getServiceList().stream()
                .map(ServiceResponse::getName).toList());
          }

          @Override
          public void onError(Throwable t) {
            names.completeExceptionally(t);
          }

          @Override
          public void onCompleted() {}
        });
    requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
    requests.onCompleted();
    List<String> services = names.get(30, TimeUnit.SECONDS);
    assertTrue(services.containsAll(List.of("vvtq.v1.Evaluator", "grpc.health.v1.Health")),
        services.toString());
  }

  @Test
  void grpcHealthServiceServes() {
    HealthCheckResponse r = HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.getDefaultInstance());
    assertEquals(HealthCheckResponse.ServingStatus.SERVING, r.getStatus());
  }

  @Test
  void prometheusEndpointExposesEvaluationThroughput() throws Exception {
    TrainedArtifacts.ensure(storeRoot, data);
    EvaluatorGrpc.newBlockingStub(channel).evaluate(EvaluateRequest.newBuilder()
        .setArtifact(ArtifactRef.newBuilder().setModel(TrainedArtifacts.MODEL)).setDataset(data).build())
        .forEachRemaining(e -> { });
    given().when().get("/q/metrics").then().statusCode(200)
        .body(containsString("vvtq_eval_evaluations_total{engine=\"int\",outcome=\"succeeded\"}"))
        .body(containsString("vvtq_eval_images_total{engine=\"int\"}"))
        .body(containsString("vvtq_eval_images_per_second_bucket{engine=\"int\""))
        .body(containsString("vvtq_eval_duration_seconds_count{engine=\"int\"}"))
        .body(containsString("vvtq_eval_waiting"));
  }
}
