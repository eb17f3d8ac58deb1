package dev.vvtq.trainer.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Renders every kustomization under deploy/ with kustomize and validates every object: built-in
 * kinds against the Kubernetes API model, MPIJobs against the MPI Operator's v2beta1 schema, and all
 * of them against the services' application.properties and container files. The second half breaks
 * rendered objects on purpose and checks that each break is reported.
 */
class DeployManifestsTest {

  static final List<String> SERVICES = List.of("trainer-service", "eval-service", "inference-service");
  /** Every kustomization a user applies (deploy/README.md). */
  static final List<String> RENDERS = List.of("base", "overlays/local", "overlays/gpu", "training/base", "training/gpu");

  static Path repo;
  static Map<String, ServiceProperties> services;
  static Map<String, List<JsonObject>> rendered;

  @BeforeAll
  static synchronized void render() throws Exception {
    if (rendered != null) {
      return;
    }
    repo = Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent();
    assertTrue(Files.isDirectory(repo.resolve("deploy/base")), "no deploy/base under " + repo);
    services = new LinkedHashMap<>();
    for (String s : SERVICES) {
      services.put(s, ServiceProperties.of(repo, s));
    }
    KustomizeRenderer kustomize = KustomizeRenderer.locate(repo);
    rendered = new LinkedHashMap<>();
    for (String r : RENDERS) {
      rendered.put(r, kustomize.build(repo.resolve("deploy").resolve(r)));
    }
  }

  static List<String> schemaProblems(List<JsonObject> objects) {
    List<String> out = new ArrayList<>();
    for (JsonObject o : objects) {
      if (MpiJobSchema.KIND.equals(KubernetesModelValidator.string(o, "kind"))) {
        out.addAll(MpiJobSchema.problems(o));
      } else {
        out.addAll(KubernetesModelValidator.problems(o));
      }
    }
    return out;
  }

  /** Training jobs refer to the services' ConfigMaps and Secrets: those of the same overlay's services. */
  static List<JsonObject> contextOf(String render) {
    return render.startsWith("training/") ? rendered.get("overlays/local") : List.of();
  }

  static List<String> consistencyProblems(String render, List<JsonObject> objects) {
    return DeployConsistency.problems(services, objects, contextOf(render));
  }

  @Test
  void everyObjectOfEveryRenderMatchesItsSchema() {
    for (String r : RENDERS) {
      assertTrue(rendered.get(r).size() > 0, r + " rendered nothing");
      assertEquals(List.of(), schemaProblems(rendered.get(r)), r);
    }
  }

  @Test
  void manifestsAgreeWithTheServicesConfiguration() {
    for (String r : RENDERS) {
      assertEquals(List.of(), consistencyProblems(r, rendered.get(r)), r);
    }
  }

  @Test
  void everyServiceRendersWithPortsFromItsApplicationProperties() {
    List<JsonObject> base = rendered.get("base");
    for (ServiceProperties s : services.values()) {
      JsonObject d = find(base, "Deployment", s.service());
      assertNotNull(d, s.service());
      String ports = d.getAsJsonObject("spec").getAsJsonObject("template").getAsJsonObject("spec")
          .getAsJsonArray("containers").get(0).getAsJsonObject().get("ports").toString();
      assertTrue(ports.contains("\"containerPort\":" + s.grpcPort()) && ports.contains("\"containerPort\":" + s.httpPort()),
          s.service() + ": " + ports);
    }
  }

  @Test
  void localOverlayPointsEveryServiceAtMinio() {
    List<JsonObject> local = rendered.get("overlays/local");
    JsonObject store = find(local, "ConfigMap", "vvtq-store").getAsJsonObject("data");
    assertEquals("http://minio.vvtq.svc:9000", store.get("VVTQ_STORE_ENDPOINT").getAsString());
    assertEquals("true", store.get("VVTQ_STORE_PATH_STYLE").getAsString());
    String bucket = store.get("VVTQ_STORE_LOCATION").getAsString().replaceFirst("^s3://", "").split("/")[0];
    assertEquals("vvtq", bucket);
    JsonObject minio = find(local, "Service", "minio");
    assertEquals(9000, minio.getAsJsonObject("spec").getAsJsonArray("ports").get(0).getAsJsonObject().get("port").getAsInt());
    assertNotNull(find(local, "Job", "minio-create-bucket"));
    JsonObject secret = find(local, "Secret", "vvtq-store-credentials");
    assertTrue(secret.getAsJsonObject("data").has("access-key") && secret.getAsJsonObject("data").has("secret-key"));
    // Every service reads the same store: each one's pods take vvtq-store whole.
    for (String s : SERVICES) {
      assertTrue(find(local, "Deployment", s).toString().contains("{\"configMapRef\":{\"name\":\"vvtq-store\"}}"), s);
    }
    assertEquals(null, find(rendered.get("base"), "Secret", "vvtq-store-credentials"), "the base leaves the credentials to the user");
  }

  @Test
  void gpuRendersPutTrainingOnGpus() {
    JsonObject trainer = find(rendered.get("overlays/gpu"), "Deployment", "trainer-service");
    JsonObject pod = trainer.getAsJsonObject("spec").getAsJsonObject("template").getAsJsonObject("spec");
    JsonObject c = pod.getAsJsonArray("containers").get(0).getAsJsonObject();
    assertTrue(c.get("image").getAsString().endsWith("-cuda"), c.get("image").toString());
    assertEquals(1, c.getAsJsonObject("resources").getAsJsonObject("limits").get("nvidia.com/gpu").getAsInt());
    assertTrue(pod.getAsJsonObject("nodeSelector").size() > 0 && pod.getAsJsonArray("tolerations").size() > 0);

    JsonObject job = find(rendered.get("training/gpu"), "MPIJob", "vvtq-train");
    long slots = job.getAsJsonObject("spec").get("slotsPerWorker").getAsLong();
    JsonObject worker = job.getAsJsonObject("spec").getAsJsonObject("mpiReplicaSpecs").getAsJsonObject("Worker");
    JsonObject wpod = worker.getAsJsonObject("template").getAsJsonObject("spec");
    JsonObject wc = wpod.getAsJsonArray("containers").get(0).getAsJsonObject();
    assertEquals(slots, wc.getAsJsonObject("resources").getAsJsonObject("limits").get("nvidia.com/gpu").getAsLong(),
        "one GPU per rank");
    assertTrue(wc.get("image").getAsString().endsWith("-cuda"));
    assertTrue(wpod.getAsJsonObject("nodeSelector").size() > 0 && wpod.getAsJsonArray("tolerations").size() > 0);
    JsonArray args = job.getAsJsonObject("spec").getAsJsonObject("mpiReplicaSpecs").getAsJsonObject("Launcher")
        .getAsJsonObject("template").getAsJsonObject("spec").getAsJsonArray("containers").get(0).getAsJsonObject()
        .getAsJsonArray("args");
    assertEquals(List.of("--device", "gpu"), List.of(args.get(args.size() - 2).getAsString(), args.get(args.size() - 1).getAsString()));
    // The CPU job has none of it.
    assertTrue(!find(rendered.get("training/base"), "MPIJob", "vvtq-train").toString().contains("nvidia.com/gpu"));
  }

  @Test
  void containerFilesMatchTheServices() throws Exception {
    for (ServiceProperties s : services.values()) {
      String f = Files.readString(repo.resolve(s.service()).resolve("src/main/docker/Dockerfile.jvm"), StandardCharsets.UTF_8);
      String where = s.service() + "/src/main/docker/Dockerfile.jvm";
      assertTrue(f.lines().filter(l -> l.startsWith("FROM ")).count() >= 2, where + ": multi-stage");
      assertTrue(f.contains("mvn -B -ntp -pl " + s.service()) || f.contains("mvn -B -ntp -pl " + s.service() + ","), where + ": built by Maven");
      String expose = f.lines().filter(l -> l.startsWith("EXPOSE ")).findFirst().orElse("");
      assertTrue(expose.contains(" " + s.grpcPort()) && expose.contains(" " + s.httpPort()), where + ": " + expose);
      String opts = f.lines().filter(l -> l.contains("JDK_JAVA_OPTIONS=")).findFirst().orElse("");
      assertTrue(opts.contains("--add-modules jdk.incubator.vector"), where + ": " + opts);
      assertTrue(opts.contains("--enable-native-access=ALL-UNNAMED"), where + ": " + opts);
      boolean djl = !s.service().equals("inference-service");
      assertEquals(djl, opts.contains("-Dai.djl.offline=true"), where + ": DJL offline exactly in the DJL services: " + opts);
      assertTrue(f.contains("\nUSER 185\n"), where + ": runs as uid 185 (the manifests' runAsUser)");
    }
    String trainer = Files.readString(repo.resolve("trainer-service/src/main/docker/Dockerfile.jvm"), StandardCharsets.UTF_8);
    for (String needed : List.of("openmpi-bin", "openssh-server", "openssh-client", "/opt/vvtq/vvtq", "cli/target/vvtq-cli.jar")) {
      assertTrue(trainer.contains(needed), "trainer image lacks " + needed);
    }
    JsonObject job = find(rendered.get("training/base"), "MPIJob", "vvtq-train");
    String ssh = job.getAsJsonObject("spec").get("sshAuthMountPath").getAsString();
    assertTrue(trainer.contains("'HostKey " + ssh + "/id_rsa'") && trainer.contains("'Port 2222'"),
        "the image's sshd must use the key the operator mounts at " + ssh + " and port 2222");
  }

  // ---- the checks catch what they are there for ---------------------------------------------

  @Test
  void aTypoInAFieldIsReported() {
    List<JsonObject> objs = copy(rendered.get("base"));
    JsonObject port = firstContainer(find(objs, "Deployment", "trainer-service")).getAsJsonArray("ports").get(0).getAsJsonObject();
    port.add("containerPrt", port.remove("containerPort"));
    assertReported(schemaProblems(objs), "unknown field 'containerPrt'");
  }

  @Test
  void aMissingRequiredFieldIsReported() {
    List<JsonObject> objs = copy(rendered.get("base"));
    firstContainer(find(objs, "Deployment", "eval-service")).remove("name");
    assertReported(schemaProblems(objs), "missing required field 'name' of V1Container");
    List<JsonObject> hpa = copy(rendered.get("base"));
    find(hpa, "HorizontalPodAutoscaler", "inference-service").getAsJsonObject("spec").remove("maxReplicas");
    assertReported(schemaProblems(hpa), "missing required field 'maxReplicas'");
  }

  @Test
  void aValueOfTheWrongTypeIsReported() {
    List<JsonObject> objs = copy(rendered.get("base"));
    firstContainer(find(objs, "Deployment", "trainer-service")).getAsJsonObject("resources").getAsJsonObject("limits")
        .addProperty("memory", "12 gigs");
    assertReported(schemaProblems(objs), "'12 gigs' is not a Kubernetes quantity");
    List<JsonObject> objs2 = copy(rendered.get("base"));
    find(objs2, "Deployment", "trainer-service").getAsJsonObject("spec").addProperty("replicas", "one");
    assertReported(schemaProblems(objs2), "expected a whole number");
  }

  @Test
  void aPortMismatchIsReported() {
    List<JsonObject> objs = copy(rendered.get("base"));
    firstContainer(find(objs, "Deployment", "trainer-service")).getAsJsonArray("ports").get(0).getAsJsonObject()
        .addProperty("containerPort", 9011);
    List<String> problems = consistencyProblems("base", objs);
    assertReported(problems, "Deployment/trainer-service container port 'grpc': expected 9001, got 9011");
    List<JsonObject> np = copy(rendered.get("base"));
    find(np, "NetworkPolicy", "inference-service").getAsJsonObject("spec").getAsJsonArray("ingress").get(0).getAsJsonObject()
        .getAsJsonArray("ports").get(0).getAsJsonObject().addProperty("port", 9999);
    assertReported(consistencyProblems("base", np), "NetworkPolicy/inference-service ingress ports");
  }

  @Test
  void aConfigKeyOrVariableTheServiceDoesNotHaveIsReported() {
    List<JsonObject> objs = copy(rendered.get("base"));
    JsonObject cm = objs.stream().filter(o -> Objects.requireNonNull(KubernetesModelValidator.nameOf(o)).startsWith("trainer-service-config"))
        .findFirst().orElseThrow();
    JsonObject data = cm.getAsJsonObject("data");
    data.addProperty("application.properties", data.get("application.properties").getAsString()
        + "vvtq.trainer.concurency=2\nvvtq.trainer.store.s3.path_style=true\n");
    List<String> problems = consistencyProblems("base", objs);
    assertReported(problems, "config key vvtq.trainer.concurency is not in trainer-service's application.properties");
    assertReported(problems, "config key vvtq.trainer.store.s3.path_style is no S3 option");

    List<JsonObject> env = copy(rendered.get("base"));
    JsonArray vars = firstContainer(find(env, "Deployment", "eval-service")).getAsJsonArray("env");
    vars.remove(1); // VVTQ_STORE_SECRET_KEY
    assertReported(consistencyProblems("base", env), "reads ${VVTQ_STORE_SECRET_KEY}, which the container's environment does not define");
  }

  @Test
  void anMpiJobTheOperatorWouldRefuseIsReported() {
    mutateJob(job -> job.getAsJsonObject("spec").getAsJsonObject("runPolicy").addProperty("cleanPodPolicy", "Sometimes"),
        "cleanPodPolicy: 'Sometimes' is not one of");
    mutateJob(job -> job.getAsJsonObject("spec").add("slotPerWorker", job.getAsJsonObject("spec").remove("slotsPerWorker")),
        "unknown field 'slotPerWorker'");
    mutateJob(job -> launcher(job).addProperty("replicas", 2), "Launcher.replicas: must be 1");
    mutateJob(job -> launcher(job).addProperty("restartPolicy", "Always"), "restartPolicy: 'Always' is not one of");
    mutateJob(job -> firstContainer(launcher(job).getAsJsonObject("template")).addProperty("imagePullPolicy", 3),
        "expected a string");
    mutateJob(job -> firstContainer(launcher(job).getAsJsonObject("template")).add("comand", new JsonArray()),
        "unknown field 'comand'");
    // The mpirun line must start workers x slots ranks.
    List<JsonObject> objs = copy(rendered.get("training/base"));
    JsonObject job = find(objs, "MPIJob", "vvtq-train");
    job.getAsJsonObject("spec").getAsJsonObject("mpiReplicaSpecs").getAsJsonObject("Worker").addProperty("replicas", 3);
    assertReported(consistencyProblems("training/base", objs), "mpirun -np 2 at 1 slots per worker needs 2 workers, the MPIJob has 3");
  }

  private static void mutateJob(Consumer<JsonObject> change, String expected) {
    List<JsonObject> objs = copy(rendered.get("training/base"));
    change.accept(find(objs, "MPIJob", "vvtq-train"));
    assertReported(schemaProblems(objs), expected);
  }

  private static JsonObject launcher(JsonObject job) {
    return job.getAsJsonObject("spec").getAsJsonObject("mpiReplicaSpecs").getAsJsonObject("Launcher");
  }

  private static JsonObject firstContainer(JsonObject withTemplateOrPod) {
    JsonObject t = withTemplateOrPod.has("spec") && withTemplateOrPod.getAsJsonObject("spec").has("template")
        ? withTemplateOrPod.getAsJsonObject("spec").getAsJsonObject("template") : withTemplateOrPod;
    return t.getAsJsonObject("spec").getAsJsonArray("containers").get(0).getAsJsonObject();
  }

  private static void assertReported(List<String> problems, String expected) {
    assertTrue(problems.stream().anyMatch(p -> p.contains(expected)), "expected a problem containing '" + expected + "', got " + problems);
  }

  private static List<JsonObject> copy(List<JsonObject> objects) {
    List<JsonObject> c = new ArrayList<>();
    objects.forEach(o -> c.add(o.deepCopy()));
    return c;
  }

  static JsonObject find(List<JsonObject> objects, String kind, String name) {
    for (JsonObject o : objects) {
      if (kind.equals(KubernetesModelValidator.string(o, "kind")) && name.equals(KubernetesModelValidator.nameOf(o))) {
        return o;
      }
    }
    return null;
  }
}
