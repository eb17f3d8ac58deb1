package dev.vvtq.trainer.kubernetes;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvFromSourceBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Builds the Kubeflow MPIJob ({@code kubeflow.org/v2beta1}) of a distributed training job: the same
 * shape as deploy/training/base/mpijob.yaml (launcher running {@code mpirun -np N --bind-to none
 * vvtq train}, workers running the image's non-root sshd), sized and named for one job.
 */
public final class MpiJobFactory {

  public static final String API_VERSION = "kubeflow.org/v2beta1";
  public static final String KIND = "MPIJob";
  /** Labels and annotations that tie an MPIJob to the trainer's job. */
  public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
  public static final String MANAGED_BY = "trainer-service";
  public static final String JOB_ID_ANNOTATION = "vvtq.dev/job-id";
  public static final String RUN_ID_ANNOTATION = "vvtq.dev/run-id";
  /** Where the image's sshd finds the job's key pair (trainer-service's Dockerfile.jvm). */
  static final String SSH_AUTH_MOUNT_PATH = "/home/vvtq/.ssh";
  static final String VVTQ = "/opt/vvtq/vvtq";
  static final long UID = 185;
  static final long TERMINATION_GRACE_SECONDS = 120;
  /** What the ranks need from the launcher's environment: they start in an SSH session, not in the worker's. */
  static final List<String> FORWARDED_ENV = List.of("PATH", "JAVA_HOME", "HOME", "JDK_JAVA_OPTIONS", "DJL_CACHE_DIR",
      "OMP_NUM_THREADS", "OMP_WAIT_POLICY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY");

  private static final KubernetesSerialization JSON = new KubernetesSerialization();

  private MpiJobFactory() {}

  /** The MPIJob's name for a job id: a DNS-1035 label short enough for its pods' names. */
  public static String nameOf(String jobId) {
    String slug = jobId.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-+|-+$)", "");
    if (slug.length() > 28) {
      slug = slug.substring(0, 28).replaceAll("-+$", "");
    }
    return "vvtq-" + (slug.isEmpty() ? "" : slug + "-") + hash(jobId);
  }

  /** The MPIJob for {@code request}. */
  public static GenericKubernetesResource build(MpiJobRequest request, MpiJobSettings settings) {
    int slots = settings.slotsPerWorker();
    int workers = (request.processes() + slots - 1) / slots;
    boolean gpu = request.device() == MpiJobRequest.Device.GPU;
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("app.kubernetes.io/name", "vvtq-train");
    labels.put("app.kubernetes.io/component", "training");
    labels.put("app.kubernetes.io/part-of", "vvtq");
    labels.put(MANAGED_BY_LABEL, MANAGED_BY);
    ObjectMeta meta = new ObjectMetaBuilder()
        .withName(nameOf(request.jobId()))
        .withLabels(labels)
        .withAnnotations(Map.of(JOB_ID_ANNOTATION, request.jobId(), RUN_ID_ANNOTATION, request.runId()))
        .build();

    Map<String, Object> runPolicy = new LinkedHashMap<>();
    runPolicy.put("cleanPodPolicy", "Running");
    runPolicy.put("ttlSecondsAfterFinished", settings.ttlSecondsAfterFinished());
    // The service decides what a failure means (requeue with --resume); the operator never retries.
    runPolicy.put("backoffLimit", 0);

    Map<String, Object> replicas = new LinkedHashMap<>();
    replicas.put("Launcher", replica(1, launcher(request, settings, labels, gpu)));
    replicas.put("Worker", replica(workers, worker(settings, labels, gpu)));

    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("slotsPerWorker", slots);
    spec.put("runLauncherAsWorker", false);
    spec.put("sshAuthMountPath", SSH_AUTH_MOUNT_PATH);
    spec.put("mpiImplementation", "OpenMPI");
    spec.put("launcherCreationPolicy", "WaitForWorkersReady");
    spec.put("runPolicy", runPolicy);
    spec.put("mpiReplicaSpecs", replicas);

    GenericKubernetesResource job = new GenericKubernetesResource();
    job.setApiVersion(API_VERSION);
    job.setKind(KIND);
    job.setMetadata(meta);
    job.setAdditionalProperty("spec", spec);
    return job;
  }

  private static Map<String, Object> replica(int count, PodTemplateSpec template) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("replicas", count);
    r.put("restartPolicy", "Never");
    r.put("template", JSON.convertValue(template, Map.class));
    return r;
  }

  private static PodTemplateSpec launcher(MpiJobRequest request, MpiJobSettings s, Map<String, String> labels, boolean gpu) {
    List<String> args = new ArrayList<>(List.of("-np", Integer.toString(request.processes()), "--bind-to", "none"));
    for (String v : FORWARDED_ENV) {
      args.add("-x");
      args.add(v);
    }
    args.addAll(List.of(VVTQ, "train",
        "--store", "$(VVTQ_STORE_LOCATION)",
        "--store-option", "endpoint=$(VVTQ_STORE_ENDPOINT)",
        "--store-option", "region=$(VVTQ_STORE_REGION)",
        "--store-option", "path-style=$(VVTQ_STORE_PATH_STYLE)",
        "--run-id", escape(request.runId())));
    if (gpu) {
      args.addAll(List.of("--device", "gpu"));
    }
    for (String a : request.trainArgs()) {
      args.add(escape(a));
    }
    int threads = Math.max(1, cpus(s.workerCpu()) / s.slotsPerWorker());
    List<EnvVar> env = List.of(
        secretEnv("AWS_ACCESS_KEY_ID", s.storeSecret(), "access-key"),
        secretEnv("AWS_SECRET_ACCESS_KEY", s.storeSecret(), "secret-key"),
        new EnvVarBuilder().withName("OMP_NUM_THREADS").withValue(Integer.toString(threads)).build(),
        new EnvVarBuilder().withName("OMP_WAIT_POLICY").withValue("PASSIVE").build());
    Container c = base(new ContainerBuilder().withName("launcher"), s)
        .withCommand("mpirun")
        .withArgs(args)
        .withEnvFrom(new EnvFromSourceBuilder().withNewConfigMapRef().withName(s.storeConfigMap()).endConfigMapRef().build())
        .withEnv(env)
        .withResources(new ResourceRequirementsBuilder()
            .withRequests(Map.of("cpu", new Quantity("250m"), "memory", new Quantity("512Mi")))
            .withLimits(Map.of("cpu", new Quantity("1"), "memory", new Quantity("1Gi")))
            .build())
        .withVolumeMounts(tmpMount())
        .build();
    return pod(labels, c, List.of(tmp()), Map.of(), List.of());
  }

  private static PodTemplateSpec worker(MpiJobSettings s, Map<String, String> labels, boolean gpu) {
    Map<String, Quantity> limits = new LinkedHashMap<>();
    limits.put("cpu", new Quantity(s.workerCpu()));
    limits.put("memory", new Quantity(s.workerMemoryLimit()));
    if (gpu) {
      limits.put("nvidia.com/gpu", new Quantity(Integer.toString(s.slotsPerWorker())));
    }
    List<VolumeMount> mounts = new ArrayList<>(List.of(tmpMount()));
    List<Volume> volumes = new ArrayList<>(List.of(tmp()));
    s.dataClaim().ifPresent(claim -> {
      mounts.add(new VolumeMountBuilder().withName("data").withMountPath(s.dataMountPath()).withReadOnly(true).build());
      volumes.add(new VolumeBuilder().withName("data")
          .withNewPersistentVolumeClaim().withClaimName(claim).withReadOnly(true).endPersistentVolumeClaim().build());
    });
    Container c = base(new ContainerBuilder().withName("worker"), s)
        .withCommand("/usr/sbin/sshd")
        .withArgs("-De", "-f", "/home/vvtq/.sshd_config")
        .addNewPort().withName("ssh").withContainerPort(2222).endPort()
        .withNewReadinessProbe().withNewTcpSocket().withNewPort("ssh").endTcpSocket().withPeriodSeconds(2).endReadinessProbe()
        .withResources(new ResourceRequirementsBuilder()
            .withRequests(Map.of("cpu", new Quantity(s.workerCpu()), "memory", new Quantity(s.workerMemory())))
            .withLimits(limits)
            .build())
        .withVolumeMounts(mounts)
        .build();
    return pod(labels, c, volumes, gpu ? s.gpuNodeSelector() : Map.of(), gpu ? tolerations(s.gpuTolerations()) : List.of());
  }

  private static ContainerBuilder base(ContainerBuilder b, MpiJobSettings s) {
    return b.withImage(s.image())
        .withImagePullPolicy("IfNotPresent")
        .withSecurityContext(new SecurityContextBuilder()
            .withAllowPrivilegeEscalation(false)
            .withReadOnlyRootFilesystem(true)
            .withNewCapabilities().withDrop("ALL").endCapabilities()
            .build());
  }

  private static PodTemplateSpec pod(Map<String, String> labels, Container c, List<Volume> volumes,
      Map<String, String> nodeSelector, List<Toleration> tolerations) {
    PodSpecBuilder spec = new PodSpecBuilder()
        .withAutomountServiceAccountToken(false)
        // Deleting the MPIJob (a cancel) sends SIGTERM: mpirun passes it to the ranks, which
        // checkpoint at their next step and stop; this is the time they get.
        .withTerminationGracePeriodSeconds(TERMINATION_GRACE_SECONDS)
        .withSecurityContext(new PodSecurityContextBuilder()
            .withRunAsNonRoot(true).withRunAsUser(UID).withRunAsGroup(UID)
            .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
            .build())
        .withContainers(c)
        .withVolumes(volumes);
    if (!nodeSelector.isEmpty()) {
      spec.withNodeSelector(nodeSelector);
    }
    if (!tolerations.isEmpty()) {
      spec.withTolerations(tolerations);
    }
    return new PodTemplateSpecBuilder()
        .withNewMetadata().withLabels(labels).endMetadata()
        .withSpec(spec.build())
        .build();
  }

  private static List<Toleration> tolerations(List<String> specs) {
    List<Toleration> out = new ArrayList<>();
    for (String t : specs) {
      String[] keyAndEffect = t.split(":", 2);
      String[] kv = keyAndEffect[0].split("=", 2);
      TolerationBuilder b = new TolerationBuilder().withKey(kv[0]).withEffect(keyAndEffect[1]);
      if (kv.length == 2) {
        b.withOperator("Equal").withValue(kv[1]);
      } else {
        b.withOperator("Exists");
      }
      out.add(b.build());
    }
    return out;
  }

  private static EnvVar secretEnv(String name, String secret, String key) {
    return new EnvVarBuilder().withName(name)
        .withNewValueFrom().withNewSecretKeyRef().withName(secret).withKey(key).endSecretKeyRef().endValueFrom()
        .build();
  }

  private static VolumeMount tmpMount() {
    return new VolumeMountBuilder().withName("tmp").withMountPath("/tmp").build();
  }

  private static Volume tmp() {
    return new VolumeBuilder().withName("tmp").withNewEmptyDir().endEmptyDir().build();
  }

  /** Kubernetes expands $(VAR) in args; a user's literal "$(" must stay literal. */
  static String escape(String arg) {
    return arg.replace("$(", "$$(");
  }

  private static int cpus(String quantity) {
    try {
      return Math.max(1, Quantity.getAmountInBytes(new Quantity(quantity)).intValue());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("worker-cpu must be a CPU quantity, got '" + quantity + "'", e);
    }
  }

  private static String hash(String s) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 3);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
