package dev.vvtq.trainer.app;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vvtq.proto.v1.Job;
import dev.vvtq.proto.v1.JobEvent;
import dev.vvtq.proto.v1.JobState;
import dev.vvtq.trainer.testing.TrainerClient;
import dev.vvtq.trainer.testing.TrainerStoreResource;
import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse;
import io.quarkus.grpc.runtime.GrpcServer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.List;
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
