package dev.vvtq.trainer.app;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vvtq.proto.v1.Job;
import dev.vvtq.proto.v1.JobEvent;
import dev.vvtq.proto.v1.JobState;
import dev.vvtq.trainer.testing.TrainerClient;
import dev.vvtq.trainer.testing.TrainerStoreResource;
import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse;
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
@QuarkusTestResource(TrainerStoreResource.class)
class HealthAndMetricsTest {
  @Inject
  GrpcServer grpcServer;

  @ConfigProperty(name = "vvtq.test.data")
  String data;

  private TrainerClient client;

  @BeforeEach
  void connect() {
    client = new TrainerClient(grpcServer.getPort());
  }

  @AfterEach
  void disconnect() throws Exception {
    client.close();
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
        ServerReflectionGrpc.newStub(client.channel()).serverReflectionInfo(new StreamObserver<>() {
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
    assertTrue(services.containsAll(List.of("vvtq.v1.Trainer", "grpc.health.v1.Health")),
        services.toString());
  }

  @Test
  void grpcHealthServiceServes() {
    HealthCheckResponse r = HealthGrpc.newBlockingStub(client.channel()).check(HealthCheckRequest.getDefaultInstance());
    assertEquals(HealthCheckResponse.ServingStatus.SERVING, r.getStatus());
  }

  @Test
  void prometheusEndpointExposesJobCountsAndStepTimes() {
    Job job = client.submit(TrainerClient.tinySpec(data, 1).build());
    List<JobEvent> events = client.watchToEnd(job.getId());
    assertEquals(JobState.JOB_STATE_SUCCEEDED, events.get(events.size() - 1).getStateChange());
    given().when().get("/q/metrics").then().statusCode(200)
        .body(containsString("vvtq_trainer_jobs{state=\"succeeded\"}"))
        .body(containsString("vvtq_trainer_jobs{state=\"running\"}"))
        .body(containsString("vvtq_trainer_jobs_submitted_total{kind=\"train\"}"))
        .body(containsString("vvtq_trainer_jobs_finished_total{kind=\"train\",state=\"succeeded\"}"))
        .body(containsString("vvtq_trainer_step_seconds_bucket{le="))
        .body(containsString("vvtq_trainer_step_seconds_count"));
  }
}
