package dev.vvtq.trainer.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.vvtq.trainer.kubernetes.MpiJobFactory;
import dev.vvtq.trainer.kubernetes.MpiJobRequest;
import dev.vvtq.trainer.kubernetes.MpiJobSettings;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The MPIJobs the trainer's kubernetes launcher builds pass the same checks as deploy/training:
 * the v2beta1 schema, the Kubernetes model for their pods, and agreement with the cluster's store
 * ConfigMap and Secret (those of overlays/local).
 */
class TrainerMpiJobTest {

  static final MpiJobSettings SETTINGS = new MpiJobSettings("vvtq/trainer-service:0.1.0-cuda", 2, "8", "16Gi", "24Gi",
      "vvtq-store", "vvtq-store-credentials", Optional.of("vvtq-data"), "/data",
      Map.of("nvidia.com/gpu.present", "true"), List.of("nvidia.com/gpu:NoSchedule", "dedicated=training:NoExecute"), 86400);

  static JsonObject build(int processes, MpiJobRequest.Device device, List<String> args) {
    var job = MpiJobFactory.build(new MpiJobRequest("deit_tiny-w4a4-20261202-1a2b", "deit_tiny-w4a4-20261202-1a2b",
        processes, device, args), SETTINGS);
    return JsonParser.parseString(new KubernetesSerialization().asJson(job)).getAsJsonObject();
  }

  static List<String> problems(JsonObject job) throws Exception {
    DeployManifestsTest.render();
    List<String> out = new ArrayList<>(MpiJobSchema.problems(job));
    out.addAll(DeployConsistency.problems(DeployManifestsTest.services, List.of(job),
        DeployManifestsTest.rendered.get("overlays/local")));
    return out;
  }

  @Test
  void cpuAndGpuJobsPassTheDeployChecks() throws Exception {
    List<String> args = List.of("--model", "deit_tiny_patch16_224", "--data", "/data/imagenet", "--epochs", "300",
        "--lr", "5e-4", "--wbits", "4", "--abits", "4", "--reg");
    assertEquals(List.of(), problems(build(3, MpiJobRequest.Device.CPU, args)));
    assertEquals(List.of(), problems(build(4, MpiJobRequest.Device.GPU, args)));
  }

  @Test
  void ranksWorkersSlotsAndGpusAgree() {
    JsonObject job = build(3, MpiJobRequest.Device.GPU, List.of("--data", "/data/x"));
    JsonObject spec = job.getAsJsonObject("spec");
    assertEquals(2, spec.get("slotsPerWorker").getAsInt());
    JsonObject worker = spec.getAsJsonObject("mpiReplicaSpecs").getAsJsonObject("Worker");
    assertEquals(2, worker.get("replicas").getAsInt(), "3 ranks at 2 slots: 2 workers");
    JsonObject wpod = worker.getAsJsonObject("template").getAsJsonObject("spec");
    JsonObject wc = wpod.getAsJsonArray("containers").get(0).getAsJsonObject();
    assertEquals("2", wc.getAsJsonObject("resources").getAsJsonObject("limits").get("nvidia.com/gpu").getAsString());
    assertEquals("{\"nvidia.com/gpu.present\":\"true\"}", wpod.get("nodeSelector").toString());
    assertEquals(2, wpod.getAsJsonArray("tolerations").size());
    JsonArray args = spec.getAsJsonObject("mpiReplicaSpecs").getAsJsonObject("Launcher").getAsJsonObject("template")
        .getAsJsonObject("spec").getAsJsonArray("containers").get(0).getAsJsonObject().getAsJsonArray("args");
    String line = args.toString();
    assertTrue(line.startsWith("[\"-np\",\"3\",\"--bind-to\",\"none\""), line);
    assertTrue(line.contains("\"--device\",\"gpu\""), line);
    assertTrue(line.contains("\"--run-id\",\"deit_tiny-w4a4-20261202-1a2b\""), line);
    assertTrue(MpiJobFactory.nameOf("deit_tiny-w4a4-20261202-1a2b").matches("[a-z]([-a-z0-9]*[a-z0-9])?")
        && MpiJobFactory.nameOf("x".repeat(200)).length() <= 40);
  }

  @Test
  void aCpuJobAsksForNoGpu() {
    String job = build(2, MpiJobRequest.Device.CPU, List.of()).toString();
    assertTrue(!job.contains("nvidia.com/gpu") && !job.contains("--device"), job);
  }

  @Test
  void argumentsTheLauncherOwnsOrKubernetesWouldExpandAreHandled() {
    assertThrows(IllegalArgumentException.class,
        () -> new MpiJobRequest("j", "j", 2, MpiJobRequest.Device.CPU, List.of("--store", "/elsewhere")));
    assertThrows(IllegalArgumentException.class,
        () -> new MpiJobRequest("j", "j", 0, MpiJobRequest.Device.CPU, List.of()));
    String line = build(2, MpiJobRequest.Device.CPU, List.of("--log", "/tmp/$(HOME).log")).toString();
    assertTrue(line.contains("/tmp/$$(HOME).log"), "a literal $( is escaped so kubelet leaves it: " + line);
  }
}
