package dev.vvtq.trainer.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The kubernetes launcher against fabric8's Kubernetes mock API server (the one Quarkus' test
 * support ships), in CRUD mode with an MPIJob CRD registered: what is submitted, how status
 * changes are followed, cancel, and refusals.
 */
@EnableKubernetesMockClient(crud = true)
class KubernetesMpiLauncherTest {

  static KubernetesClient client;
  static KubernetesMockServer server;
  static ExecutorService pool;

  static final MpiJobSettings SETTINGS = new MpiJobSettings("vvtq/trainer-service:0.1.0", 1, "4", "8Gi", "12Gi",
      "vvtq-store", "vvtq-store-credentials", Optional.of("vvtq-data"), "/data",
      Map.of("nvidia.com/gpu.present", "true"), List.of("nvidia.com/gpu:NoSchedule"), 86400);

  @BeforeAll
  static void registerCrd() {
    // The MPI Operator's kind, as the API server would serve it once the operator is installed
    // (names and scope only: the mock stores objects, it does not validate them).
    CustomResourceDefinition crd = new CustomResourceDefinitionBuilder()
        .withNewMetadata().withName("mpijobs.kubeflow.org").endMetadata()
        .withNewSpec().withGroup("kubeflow.org").withScope("Namespaced")
        .withNewNames().withKind("MPIJob").withPlural("mpijobs").withSingular("mpijob").withListKind("MPIJobList").endNames()
        .addNewVersion().withName("v2beta1").withServed(true).withStorage(true)
        .withNewSubresources().withNewStatus().endStatus().endSubresources()
        .withNewSchema().withNewOpenAPIV3Schema().withType("object").withXKubernetesPreserveUnknownFields(true)
        .endOpenAPIV3Schema().endSchema()
        .endVersion()
        .endSpec().build();
    client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
    pool = Executors.newCachedThreadPool();
  }

  @AfterAll
  static void stop() {
    pool.shutdownNow();
  }

  static MpiJobRequest request(String jobId, MpiJobRequest.Device device) {
    return new MpiJobRequest(jobId, jobId, 2, device, List.of("--model", "deit_pico_patch4_16", "--data", "/data/tiny",
        "--epochs", "1", "--wbits", "4", "--abits", "4"));
  }

  @Test
  void theSubmittedObjectIsExactlyTheOneBuilt() {
    KubernetesMpiLauncher launcher = new KubernetesMpiLauncher(client, "exact");
    GenericKubernetesResource built = MpiJobFactory.build(request("w4a4-exact", MpiJobRequest.Device.GPU), SETTINGS);
    launcher.submit(built);

    GenericKubernetesResource stored = client.genericKubernetesResources(KubernetesMpiLauncher.MPIJOBS)
        .inNamespace("exact").withName(MpiJobFactory.nameOf("w4a4-exact")).get();
    assertNotNull(stored);
    KubernetesSerialization json = new KubernetesSerialization();
    // As JSON: the stored copy went through the API server (numbers may come back as other Java types).
    assertEquals(json.asJson(built.getAdditionalProperties().get("spec")), json.asJson(stored.getAdditionalProperties().get("spec")));
    assertEquals(built.getMetadata().getLabels(), stored.getMetadata().getLabels());
    assertEquals("w4a4-exact", stored.getMetadata().getAnnotations().get(MpiJobFactory.JOB_ID_ANNOTATION));
    assertEquals(MpiJobStatus.Phase.PENDING, launcher.status(stored.getMetadata().getName()).phase());

    // A restarted trainer resubmitting the same job adopts the MPIJob instead of failing or starting a second run.
    GenericKubernetesResource again = launcher.submit(MpiJobFactory.build(request("w4a4-exact", MpiJobRequest.Device.GPU), SETTINGS));
    assertEquals(stored.getMetadata().getUid(), again.getMetadata().getUid());
    assertTrue(launcher.delete(stored.getMetadata().getName()));
  }

  @Test
  void statusTransitionsAreFollowedToTheEnd() throws Exception {
    KubernetesMpiLauncher launcher = new KubernetesMpiLauncher(client, "vvtq");
    String name = launcher.submit(MpiJobFactory.build(request("w4a4-status", MpiJobRequest.Device.CPU), SETTINGS))
        .getMetadata().getName();
    List<MpiJobStatus.Phase> seen = new CopyOnWriteArrayList<>();
    CountDownLatch watching = new CountDownLatch(1);
    Future<MpiJobStatus> end = pool.submit(() -> launcher.await(name, Duration.ofSeconds(30), () -> false, s -> {
      seen.add(s.phase());
      watching.countDown();
    }));
    assertTrue(watching.await(10, TimeUnit.SECONDS));
    setConditions("vvtq", name, List.of(condition("Created", "True", "MPIJobCreated", "created")));
    setConditions("vvtq", name, List.of(condition("Created", "True", "MPIJobCreated", "created"),
        condition("Running", "True", "MPIJobRunning", "launcher running")));
    waitFor(() -> seen.contains(MpiJobStatus.Phase.RUNNING));
    setConditions("vvtq", name, List.of(condition("Created", "True", "MPIJobCreated", "created"),
        condition("Running", "False", "MPIJobRunning", ""),
        condition("Failed", "True", "MPIJobFailed", "launcher exited with code 1 (rank 1 aborted)")));
    MpiJobStatus last = end.get(20, TimeUnit.SECONDS);
    assertEquals(MpiJobStatus.Phase.FAILED, last.phase());
    assertEquals("launcher exited with code 1 (rank 1 aborted)", last.message());
    assertEquals(List.of(MpiJobStatus.Phase.PENDING, MpiJobStatus.Phase.RUNNING, MpiJobStatus.Phase.FAILED), seen);
    launcher.delete(name);
  }

  @Test
  void aRunnerDeletesItsMpiJobOnCancelAndAtTheEnd() throws Exception {
    KubernetesMpiLauncher launcher = new KubernetesMpiLauncher(client, "runs");
    MpiJobRunner runner = new MpiJobRunner(launcher, SETTINGS, Duration.ofMinutes(1));
    String name = MpiJobFactory.nameOf("w4a4-cancel");
    AtomicBoolean cancel = new AtomicBoolean();
    Future<MpiJobRunner.Outcome> outcome = pool.submit(() -> runner.run(request("w4a4-cancel", MpiJobRequest.Device.CPU), cancel::get, s -> {}));
    waitFor(() -> launcher.status(name).phase() == MpiJobStatus.Phase.PENDING);
    cancel.set(true);
    MpiJobRunner.Outcome o = outcome.get(20, TimeUnit.SECONDS);
    assertTrue(o.cancelled());
    assertEquals(MpiJobStatus.Phase.GONE, launcher.status(name).phase(), "a cancelled job's MPIJob is deleted");

    // A job that succeeds: its MPIJob is deleted once it has ended, nothing left behind.
    String done = MpiJobFactory.nameOf("w4a4-done");
    Future<MpiJobRunner.Outcome> ok = pool.submit(() -> runner.run(request("w4a4-done", MpiJobRequest.Device.CPU), () -> false, s -> {}));
    waitFor(() -> launcher.status(done).phase() == MpiJobStatus.Phase.PENDING);
    setConditions("runs", done, List.of(condition("Succeeded", "True", "MPIJobSucceeded", "done")));
    MpiJobRunner.Outcome o2 = ok.get(20, TimeUnit.SECONDS);
    assertFalse(o2.cancelled());
    assertEquals(MpiJobStatus.Phase.SUCCEEDED, o2.status().phase());
    assertEquals(MpiJobStatus.Phase.GONE, launcher.status(done).phase());
    assertEquals(List.of(), launcher.orphans(Set.of()));
  }

  @Test
  void aDeletedMpiJobEndsTheWait() throws Exception {
    KubernetesMpiLauncher launcher = new KubernetesMpiLauncher(client, "deleted");
    String name = launcher.submit(MpiJobFactory.build(request("w4a4-deleted", MpiJobRequest.Device.CPU), SETTINGS))
        .getMetadata().getName();
    CountDownLatch watching = new CountDownLatch(1);
    Future<MpiJobStatus> end = pool.submit(() -> launcher.await(name, Duration.ofSeconds(30), () -> false, s -> watching.countDown()));
    assertTrue(watching.await(10, TimeUnit.SECONDS));
    launcher.delete(name);
    assertEquals(MpiJobStatus.Phase.GONE, end.get(20, TimeUnit.SECONDS).phase());
  }

  @Test
  void mpiJobsOfJobsThatNoLongerExistAreOrphans() {
    KubernetesMpiLauncher launcher = new KubernetesMpiLauncher(client, "orphans");
    launcher.submit(MpiJobFactory.build(request("live-job", MpiJobRequest.Device.CPU), SETTINGS));
    launcher.submit(MpiJobFactory.build(request("gone-job", MpiJobRequest.Device.CPU), SETTINGS));
    assertEquals(List.of(MpiJobFactory.nameOf("gone-job")), launcher.orphans(Set.of("live-job")));
  }

  @Test
  void aForbiddenSubmissionIsAClearFailure() {
    server.expect().post().withPath("/apis/kubeflow.org/v2beta1/namespaces/locked/mpijobs")
        .andReturn(403, new StatusBuilder().withStatus("Failure").withReason("Forbidden").withCode(403)
            .withMessage("mpijobs.kubeflow.org is forbidden: User \"system:serviceaccount:locked:trainer-service\" cannot create "
                + "resource \"mpijobs\" in API group \"kubeflow.org\" in the namespace \"locked\"")
            .build())
        .once();
    KubernetesMpiLauncher launcher = new KubernetesMpiLauncher(client, "locked");
    MpiJobRefusedException e = assertThrows(MpiJobRefusedException.class,
        () -> launcher.submit(MpiJobFactory.build(request("w4a4-forbidden", MpiJobRequest.Device.CPU), SETTINGS)));
    assertTrue(e.getMessage().contains("may not create mpijobs.kubeflow.org"), e.getMessage());
    assertTrue(e.getMessage().contains("deploy/base/trainer-rbac.yaml"), e.getMessage());
    assertTrue(e.getMessage().contains("cannot create resource \"mpijobs\""), e.getMessage());
    assertNull(client.genericKubernetesResources(KubernetesMpiLauncher.MPIJOBS).inNamespace("locked")
        .withName(MpiJobFactory.nameOf("w4a4-forbidden")).get());
  }

  // ---- the operator's side: status written the way the MPI Operator writes it --------------------

  static Map<String, Object> condition(String type, String status, String reason, String message) {
    return Map.of("type", type, "status", status, "reason", reason, "message", message,
        "lastTransitionTime", "2026-12-02T19:00:00Z", "lastUpdateTime", "2026-12-02T19:00:00Z");
  }

  static void setConditions(String namespace, String name, List<Map<String, Object>> conditions) {
    var jobs = client.genericKubernetesResources(KubernetesMpiLauncher.MPIJOBS).inNamespace(namespace);
    GenericKubernetesResource current = jobs.withName(name).get();
    current.setAdditionalProperty("status", Map.of("conditions", conditions));
    jobs.resource(current).updateStatus();
  }

  static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not reached in 10 s");
      }
      Thread.sleep(20);
    }
  }
}
