package dev.vvtq.trainer.deploy;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The Kubeflow MPI Operator's {@code kubeflow.org/v2beta1} MPIJob, written by us from the operator's
 * CRD (mpijobs.kubeflow.org: the structural schema, its enums and required fields) and from the
 * rules its controller applies after defaulting (pkg/apis/kubeflow/validation): a spec the operator
 * would refuse or ignore is a problem here. Pod templates and metadata are checked against the
 * Kubernetes model ({@link KubernetesModelValidator}).
 */
final class MpiJobSchema {

  static final String API_VERSION = "kubeflow.org/v2beta1";
  static final String KIND = "MPIJob";

  private static final Set<String> TOP = Set.of("apiVersion", "kind", "metadata", "spec", "status");
  private static final Set<String> SPEC = Set.of("slotsPerWorker", "runLauncherAsWorker", "runPolicy",
      "mpiReplicaSpecs", "sshAuthMountPath", "launcherCreationPolicy", "mpiImplementation");
  private static final Set<String> RUN_POLICY = Set.of("cleanPodPolicy", "ttlSecondsAfterFinished",
      "activeDeadlineSeconds", "backoffLimit", "schedulingPolicy", "suspend", "managedBy");
  private static final Set<String> SCHEDULING_POLICY = Set.of("minAvailable", "queue", "minResources",
      "priorityClass", "scheduleTimeoutSeconds");
  private static final Set<String> REPLICA_SPEC = Set.of("replicas", "template", "restartPolicy");
  private static final Set<String> REPLICA_TYPES = Set.of("Launcher", "Worker");
  private static final Set<String> CLEAN_POD_POLICIES = Set.of("None", "Running", "All");
  // The CRD's RestartPolicy also names Always and ExitCode, but the operator refuses them.
  private static final Set<String> RESTART_POLICIES = Set.of("Never", "OnFailure");
  private static final Set<String> MPI_IMPLEMENTATIONS = Set.of("OpenMPI", "Intel", "MPICH");
  private static final Set<String> LAUNCHER_CREATION_POLICIES = Set.of("AtStartup", "WaitForWorkersReady");
  private static final Set<String> MANAGED_BY = Set.of("kubeflow.org/mpi-operator", "kueue.x-k8s.io/multikueue");
  private static final Pattern DNS_1035_LABEL = Pattern.compile("[a-z]([-a-z0-9]*[a-z0-9])?");

  private MpiJobSchema() {}

  /** Every problem of an MPIJob object. */
  static List<String> problems(JsonObject job) {
    List<String> out = new ArrayList<>();
    String where = "MPIJob/" + KubernetesModelValidator.nameOf(job);
    fields(job, TOP, where, out);
    if (!API_VERSION.equals(KubernetesModelValidator.string(job, "apiVersion"))) {
      out.add(where + ": apiVersion must be " + API_VERSION);
    }
    JsonObject metadata = object(job, "metadata", where, true, out);
    if (metadata != null) {
      KubernetesModelValidator.check(V1ObjectMeta.class, metadata, where + ".metadata", out);
    }
    JsonObject spec = object(job, "spec", where, true, out);
    if (spec == null) {
      return out;
    }
    String s = where + ".spec";
    fields(spec, SPEC, s, out);
    // Fields the operator defaults, required here after its defaulting: our manifests say them.
    Long slots = integer(spec, "slotsPerWorker", s, true, out);
    if (slots != null && slots < 0) {
      out.add(s + ".slotsPerWorker: must be >= 0, got " + slots);
    }
    bool(spec, "runLauncherAsWorker", s, out);
    string(spec, "sshAuthMountPath", s, true, null, out);
    string(spec, "mpiImplementation", s, false, MPI_IMPLEMENTATIONS, out);
    string(spec, "launcherCreationPolicy", s, false, LAUNCHER_CREATION_POLICIES, out);
    runPolicy(object(spec, "runPolicy", s, true, out), s + ".runPolicy", out);

    JsonObject replicas = object(spec, "mpiReplicaSpecs", s, true, out);
    if (replicas != null) {
      String r = s + ".mpiReplicaSpecs";
      for (String type : replicas.keySet()) {
        if (!REPLICA_TYPES.contains(type)) {
          out.add(r + ": unknown replica type '" + type + "' (known: " + REPLICA_TYPES + ")");
        }
      }
      JsonObject launcher = object(replicas, "Launcher", r, true, out);
      Long launchers = replicaSpec(launcher, r + ".Launcher", out);
      if (launchers != null && launchers != 1) {
        out.add(r + ".Launcher.replicas: must be 1, got " + launchers);
      }
      JsonObject worker = object(replicas, "Worker", r, false, out);
      Long workers = replicaSpec(worker, r + ".Worker", out);
      if (workers != null && workers < 1) {
        out.add(r + ".Worker.replicas: must be >= 1, got " + workers);
      }
      String name = KubernetesModelValidator.nameOf(job);
      long lastWorker = Math.max(1, workers == null ? 1 : workers) - 1;
      String hostname = name + "-worker-" + lastWorker;
      if (name == null || !DNS_1035_LABEL.matcher(hostname).matches() || hostname.length() > 63) {
        out.add(where + ".metadata.name: workers' hostnames (" + hostname + ") must be DNS-1035 labels of at most 63 characters");
      }
    }
    return out;
  }

  private static void runPolicy(JsonObject policy, String path, List<String> out) {
    if (policy == null) {
      return;
    }
    fields(policy, RUN_POLICY, path, out);
    string(policy, "cleanPodPolicy", path, true, CLEAN_POD_POLICIES, out);
    for (String f : List.of("ttlSecondsAfterFinished", "activeDeadlineSeconds", "backoffLimit")) {
      Long v = integer(policy, f, path, false, out);
      if (v != null && v < 0) {
        out.add(path + "." + f + ": must be >= 0, got " + v);
      }
    }
    bool(policy, "suspend", path, out);
    string(policy, "managedBy", path, false, MANAGED_BY, out);
    JsonObject scheduling = object(policy, "schedulingPolicy", path, false, out);
    if (scheduling != null) {
      String sp = path + ".schedulingPolicy";
      fields(scheduling, SCHEDULING_POLICY, sp, out);
      integer(scheduling, "minAvailable", sp, false, out);
      integer(scheduling, "scheduleTimeoutSeconds", sp, false, out);
      string(scheduling, "queue", sp, false, null, out);
      string(scheduling, "priorityClass", sp, false, null, out);
    }
  }

  /** The replica count of a replica spec (null when absent or invalid). */
  private static Long replicaSpec(JsonObject spec, String path, List<String> out) {
    if (spec == null) {
      return null;
    }
    fields(spec, REPLICA_SPEC, path, out);
    Long replicas = integer(spec, "replicas", path, true, out);
    string(spec, "restartPolicy", path, true, RESTART_POLICIES, out);
    JsonObject template = object(spec, "template", path, true, out);
    if (template != null) {
      KubernetesModelValidator.check(V1PodTemplateSpec.class, template, path + ".template", out);
      JsonElement podSpec = template.get("spec");
      if (podSpec == null || !podSpec.isJsonObject() || !podSpec.getAsJsonObject().has("containers")
          || podSpec.getAsJsonObject().getAsJsonArray("containers").isEmpty()) {
        out.add(path + ".template.spec.containers: must define at least one container");
      }
    }
    return replicas;
  }

  private static void fields(JsonObject o, Set<String> allowed, String path, List<String> out) {
    for (String k : o.keySet()) {
      if (!allowed.contains(k)) {
        out.add(path + ": unknown field '" + k + "' (allowed: " + allowed + ")");
      }
    }
  }

  private static JsonObject object(JsonObject o, String f, String path, boolean required, List<String> out) {
    JsonElement e = o.get(f);
    if (e == null || e.isJsonNull()) {
      if (required) {
        out.add(path + ": missing required field '" + f + "'");
      }
      return null;
    }
    if (!e.isJsonObject()) {
      out.add(path + "." + f + ": expected an object, got " + e);
      return null;
    }
    return e.getAsJsonObject();
  }

  private static Long integer(JsonObject o, String f, String path, boolean required, List<String> out) {
    JsonElement e = o.get(f);
    if (e == null || e.isJsonNull()) {
      if (required) {
        out.add(path + ": missing required field '" + f + "'");
      }
      return null;
    }
    if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()
        || e.getAsBigDecimal().stripTrailingZeros().scale() > 0) {
      out.add(path + "." + f + ": expected a whole number, got " + e);
      return null;
    }
    return e.getAsLong();
  }

  private static void bool(JsonObject o, String f, String path, List<String> out) {
    JsonElement e = o.get(f);
    if (e != null && !(e.isJsonPrimitive() && e.getAsJsonPrimitive().isBoolean())) {
      out.add(path + "." + f + ": expected true or false, got " + e);
    }
  }

  private static void string(JsonObject o, String f, String path, boolean required, Set<String> allowed,
      List<String> out) {
    JsonElement e = o.get(f);
    if (e == null || e.isJsonNull()) {
      if (required) {
        out.add(path + ": missing required field '" + f + "'");
      }
      return;
    }
    if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString() || e.getAsString().isEmpty()) {
      out.add(path + "." + f + ": expected a non-empty string, got " + e);
    } else if (allowed != null && !allowed.contains(e.getAsString())) {
      out.add(path + "." + f + ": '" + e.getAsString() + "' is not one of " + allowed);
    }
  }
}
