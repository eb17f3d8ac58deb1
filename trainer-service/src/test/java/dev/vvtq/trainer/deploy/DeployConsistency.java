package dev.vvtq.trainer.deploy;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.vvtq.artifacts.store.S3Options;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks that rendered manifests agree with the services: ports, probes, Services and
 * NetworkPolicies against each service's application.properties; mounted config files' keys and
 * the variables they read against the service's keys and the container's environment; the trainer's
 * RBAC; the inference service's autoscaler and disruption budget; and the MPIJob's mpirun line.
 */
final class DeployConsistency {

  /** Where each service's cluster config file is mounted (Quarkus reads config/application.properties). */
  static final String CONFIG_DIR = "/deployments/config";
  static final Set<String> TRAINER_MPIJOB_VERBS = Set.of("create", "get", "list", "watch", "delete");
  /** Environment the trainer image sets or inherits from its base (Dockerfile.jvm), forwarded by mpirun -x. */
  static final Set<String> IMAGE_ENV = Set.of("PATH", "JAVA_HOME", "HOME", "JDK_JAVA_OPTIONS", "DJL_CACHE_DIR");
  private static final Pattern PROPERTY_VAR = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(:[^}]*)?}");
  private static final Pattern K8S_VAR = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");

  private final Map<String, ServiceProperties> services;
  private final List<JsonObject> objects;
  private final List<JsonObject> context;
  private final List<String> out = new ArrayList<>();

  /**
   * @param objects the rendered objects to check
   * @param context objects already in the cluster that these refer to (the services' ConfigMaps for a
   *     training job rendered on its own); may be empty
   */
  private DeployConsistency(Map<String, ServiceProperties> services, List<JsonObject> objects, List<JsonObject> context) {
    this.services = services;
    this.objects = objects;
    this.context = context;
  }

  /** Every disagreement in {@code objects}. */
  static List<String> problems(Map<String, ServiceProperties> services, List<JsonObject> objects, List<JsonObject> context) {
    DeployConsistency c = new DeployConsistency(services, objects, context);
    c.run();
    return c.out;
  }

  private void run() {
    for (JsonObject o : objects) {
      String kind = KubernetesModelValidator.string(o, "kind");
      String name = KubernetesModelValidator.nameOf(o);
      if ("Deployment".equals(kind) && services.containsKey(name)) {
        service(services.get(name), o);
      }
      if ("Deployment".equals(kind) || "Job".equals(kind)) {
        JsonObject pod = o.getAsJsonObject("spec").getAsJsonObject("template");
        references(kind + "/" + name, pod);
      }
      if ("MPIJob".equals(kind)) {
        mpiJob(o);
      }
    }
    rbac();
    inferenceScaling();
  }

  private void service(ServiceProperties props, JsonObject deployment) {
    String where = "Deployment/" + props.service();
    JsonObject podSpec = deployment.getAsJsonObject("spec").getAsJsonObject("template").getAsJsonObject("spec");
    JsonObject c = container(podSpec, props.service(), where);
    if (c == null) {
      return;
    }
    Map<String, String> config = mountedConfig(podSpec, c, where);
    int grpc = config.containsKey("quarkus.grpc.server.port") ? Integer.parseInt(config.get("quarkus.grpc.server.port")) : props.grpcPort();
    int http = config.containsKey("quarkus.http.port") ? Integer.parseInt(config.get("quarkus.http.port")) : props.httpPort();
    Map<String, Integer> ports = containerPorts(c);
    expectEqual(where + " container port 'grpc'", grpc, ports.get("grpc"));
    expectEqual(where + " container port 'http'", http, ports.get("http"));
    probe(where, c, "livenessProbe", "/q/health/live", http, ports);
    probe(where, c, "readinessProbe", "/q/health/ready", http, ports);

    Set<String> env = environment(c, where);
    for (Map.Entry<String, String> e : config.entrySet()) {
      String key = e.getKey();
      String s3 = props.prefix() + ".store.s3.";
      if (key.startsWith(s3)) {
        if (!S3Options.KEYS.contains(key.substring(s3.length()))) {
          out.add(where + ": config key " + key + " is no S3 option (known: " + S3Options.KEYS + ")");
        }
      } else if (!props.knows(key)) {
        out.add(where + ": config key " + key + " is not in " + props.service() + "'s application.properties");
      }
      Matcher m = PROPERTY_VAR.matcher(e.getValue());
      while (m.find()) {
        if (m.group(2) == null && !env.contains(m.group(1))) {
          out.add(where + ": config key " + key + " reads ${" + m.group(1) + "}, which the container's environment does not define");
        }
      }
    }
    for (String var : env) {
      if (var.startsWith("QUARKUS_") || var.startsWith(props.prefix().toUpperCase().replace('.', '_') + "_")) {
        out.add(where + ": " + var + " sets configuration through the environment; put it in the mounted config file, whose keys are checked");
      }
    }

    Set<Integer> wanted = Set.of(grpc, http);
    JsonObject svc = find("Service", props.service());
    if (svc == null) {
      out.add(where + ": no Service " + props.service());
    } else {
      Set<Integer> seen = new HashSet<>();
      for (JsonElement pe : svc.getAsJsonObject("spec").getAsJsonArray("ports")) {
        JsonObject p = pe.getAsJsonObject();
        int port = p.get("port").getAsInt();
        seen.add(port);
        JsonElement target = p.get("targetPort");
        Integer targetPort = target == null ? Integer.valueOf(port)
            : target.getAsJsonPrimitive().isNumber() ? Integer.valueOf(target.getAsInt()) : ports.get(target.getAsString());
        if (targetPort == null || !wanted.contains(targetPort) || targetPort != port) {
          out.add("Service/" + props.service() + ": port " + port + " targets " + target + ", not the container's port " + port);
        }
      }
      expectEqual("Service/" + props.service() + " ports", wanted, seen);
    }
    JsonObject np = find("NetworkPolicy", props.service());
    if (np == null) {
      out.add(where + ": no NetworkPolicy " + props.service());
    } else {
      Set<Integer> allowed = new HashSet<>();
      for (JsonElement rule : np.getAsJsonObject("spec").getAsJsonArray("ingress")) {
        for (JsonElement pe : rule.getAsJsonObject().getAsJsonArray("ports")) {
          allowed.add(pe.getAsJsonObject().get("port").getAsInt());
        }
      }
      expectEqual("NetworkPolicy/" + props.service() + " ingress ports", wanted, allowed);
      JsonObject sel = np.getAsJsonObject("spec").getAsJsonObject("podSelector").getAsJsonObject("matchLabels");
      if (!selects(sel, deployment.getAsJsonObject("spec").getAsJsonObject("template"))) {
        out.add("NetworkPolicy/" + props.service() + ": its podSelector does not select the service's pods");
      }
    }
  }

  private void probe(String where, JsonObject c, String which, String path, int http, Map<String, Integer> ports) {
    JsonObject probe = c.getAsJsonObject(which);
    if (probe == null || !probe.has("httpGet")) {
      out.add(where + ": no " + which + " on " + path);
      return;
    }
    JsonObject get = probe.getAsJsonObject("httpGet");
    if (!path.equals(KubernetesModelValidator.string(get, "path"))) {
      out.add(where + ": " + which + " is on " + get.get("path") + ", not " + path);
    }
    JsonElement port = get.get("port");
    Integer p = port.getAsJsonPrimitive().isNumber() ? Integer.valueOf(port.getAsInt()) : ports.get(port.getAsString());
    if (!Objects.equals(p, http)) {
      out.add(where + ": " + which + " is on port " + port + ", not the HTTP port " + http);
    }
  }

  /** The mounted config/application.properties (empty when none is mounted). */
  private Map<String, String> mountedConfig(JsonObject podSpec, JsonObject c, String where) {
    JsonArray mounts = c.getAsJsonArray("volumeMounts");
    if (mounts == null) {
      return Map.of();
    }
    for (JsonElement me : mounts) {
      JsonObject m = me.getAsJsonObject();
      if (!CONFIG_DIR.equals(KubernetesModelValidator.string(m, "mountPath"))) {
        continue;
      }
      String volume = KubernetesModelValidator.string(m, "name");
      for (JsonElement ve : podSpec.getAsJsonArray("volumes")) {
        JsonObject v = ve.getAsJsonObject();
        if (volume.equals(KubernetesModelValidator.string(v, "name")) && v.has("configMap")) {
          String cm = KubernetesModelValidator.string(v.getAsJsonObject("configMap"), "name");
          JsonObject map = find("ConfigMap", cm);
          if (map == null || !map.getAsJsonObject("data").has("application.properties")) {
            out.add(where + ": mounts ConfigMap " + cm + " at " + CONFIG_DIR + ", which has no application.properties");
            return Map.of();
          }
          return ServiceProperties.parse(map.getAsJsonObject("data").get("application.properties").getAsString());
        }
      }
      out.add(where + ": " + CONFIG_DIR + " is not mounted from a ConfigMap");
    }
    return Map.of();
  }

  /** The names a container's environment defines: env, and the keys of envFrom ConfigMaps and Secrets. */
  private Set<String> environment(JsonObject c, String where) {
    Set<String> names = new LinkedHashSet<>();
    JsonArray env = c.getAsJsonArray("env");
    if (env != null) {
      for (JsonElement e : env) {
        names.add(e.getAsJsonObject().get("name").getAsString());
      }
    }
    JsonArray from = c.getAsJsonArray("envFrom");
    if (from != null) {
      for (JsonElement fe : from) {
        JsonObject f = fe.getAsJsonObject();
        String kind = f.has("configMapRef") ? "ConfigMap" : "Secret";
        String name = f.getAsJsonObject(f.has("configMapRef") ? "configMapRef" : "secretRef").get("name").getAsString();
        JsonObject src = findAnywhere(kind, name);
        if (src == null) {
          out.add(where + ": envFrom " + kind + " " + name + ", which is not in the manifests");
        } else if (src.has("data")) {
          names.addAll(src.getAsJsonObject("data").keySet());
        }
      }
    }
    return names;
  }

  /** Every ConfigMap and Secret a pod refers to exists (in the render or its context), with the keys used. */
  private void references(String where, JsonObject podTemplate) {
    JsonObject spec = podTemplate.getAsJsonObject("spec");
    for (String list : List.of("containers", "initContainers")) {
      JsonArray cs = spec.getAsJsonArray(list);
      if (cs == null) {
        continue;
      }
      for (JsonElement ce : cs) {
        JsonObject c = ce.getAsJsonObject();
        environment(c, where);
        JsonArray env = c.getAsJsonArray("env");
        if (env == null) {
          continue;
        }
        for (JsonElement e : env) {
          JsonObject from = e.getAsJsonObject().getAsJsonObject("valueFrom");
          if (from == null) {
            continue;
          }
          for (String[] ref : new String[][] {{"secretKeyRef", "Secret"}, {"configMapKeyRef", "ConfigMap"}}) {
            JsonObject r = from.getAsJsonObject(ref[0]);
            if (r == null) {
              continue;
            }
            JsonObject src = findAnywhere(ref[1], r.get("name").getAsString());
            // A Secret the base leaves to the user (vvtq-store-credentials) may be absent; present, it has the key.
            if (src == null && "ConfigMap".equals(ref[1])) {
              out.add(where + ": " + ref[1] + " " + r.get("name") + " is not in the manifests");
            } else if (src != null && !(src.has("data") && src.getAsJsonObject("data").has(r.get("key").getAsString()))) {
              out.add(where + ": " + ref[1] + " " + r.get("name") + " has no key " + r.get("key"));
            }
          }
        }
      }
    }
  }

  private void mpiJob(JsonObject job) {
    String where = "MPIJob/" + KubernetesModelValidator.nameOf(job);
    JsonObject spec = job.getAsJsonObject("spec");
    JsonObject launcher = spec.getAsJsonObject("mpiReplicaSpecs").getAsJsonObject("Launcher");
    JsonObject worker = spec.getAsJsonObject("mpiReplicaSpecs").getAsJsonObject("Worker");
    long slots = spec.get("slotsPerWorker").getAsLong();
    long workers = worker.get("replicas").getAsLong();
    references(where + " launcher", launcher.getAsJsonObject("template"));
    references(where + " worker", worker.getAsJsonObject("template"));
    for (JsonObject t : List.of(launcher.getAsJsonObject("template"), worker.getAsJsonObject("template"))) {
      JsonObject labels = t.has("metadata") ? t.getAsJsonObject("metadata").getAsJsonObject("labels") : null;
      if (labels == null || !"training".equals(KubernetesModelValidator.string(labels, "app.kubernetes.io/component"))) {
        out.add(where + ": pod template without app.kubernetes.io/component=training (the NetworkPolicy vvtq-training lets ranks talk)");
      }
    }
    JsonObject lc = launcher.getAsJsonObject("template").getAsJsonObject("spec").getAsJsonArray("containers").get(0).getAsJsonObject();
    List<String> command = strings(lc.getAsJsonArray("command"));
    List<String> args = strings(lc.getAsJsonArray("args"));
    if (!command.equals(List.of("mpirun"))) {
      out.add(where + ": the launcher runs " + command + ", not mpirun");
    }
    int np = args.indexOf("-np");
    long ranks = np < 0 || np + 1 >= args.size() || !args.get(np + 1).matches("[0-9]+") ? -1 : Long.parseLong(args.get(np + 1));
    // The hostfile has workers x slots slots: the ranks must fit, and no worker may be left idle.
    if (ranks < 1 || workers != (ranks + slots - 1) / slots) {
      out.add(where + ": mpirun -np " + ranks + " at " + slots + " slots per worker needs "
          + (ranks < 1 ? "?" : Long.toString((ranks + slots - 1) / slots)) + " workers, the MPIJob has " + workers + "; args " + args);
    }
    int bind = args.indexOf("--bind-to");
    if (bind < 0 || !args.get(bind + 1).equals("none")) {
      out.add(where + ": mpirun needs --bind-to none (else each rank's JVM sees one core)");
    }
    Set<String> env = environment(lc, where + " launcher");
    env.addAll(IMAGE_ENV);
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (a.equals("-x") && i + 1 < args.size() && !env.contains(args.get(i + 1))) {
        out.add(where + ": mpirun -x " + args.get(i + 1) + " forwards a variable the launcher does not have");
      }
      if (a.equals("--store-option") && i + 1 < args.size()) {
        String key = args.get(i + 1).split("=", 2)[0];
        if (!S3Options.KEYS.contains(key)) {
          out.add(where + ": --store-option " + key + " is no S3 option (known: " + S3Options.KEYS + ")");
        }
      }
      Matcher m = K8S_VAR.matcher(a);
      while (m.find()) {
        if (!env.contains(m.group(1))) {
          out.add(where + ": launcher argument " + a + " reads $(" + m.group(1) + "), which its environment does not define");
        }
      }
    }
    if (!args.contains("train")) {
      out.add(where + ": the ranks do not run vvtq train");
    }
  }

  private void rbac() {
    JsonObject role = find("Role", "trainer-service-mpijobs");
    JsonObject trainer = find("Deployment", "trainer-service");
    if (trainer == null) {
      return;
    }
    if (role == null) {
      out.add("no Role trainer-service-mpijobs for the trainer's MPIJobs");
      return;
    }
    JsonArray rules = role.getAsJsonArray("rules");
    if (rules.size() != 1) {
      out.add("Role/trainer-service-mpijobs: exactly one rule (mpijobs), got " + rules);
    } else {
      JsonObject r = rules.get(0).getAsJsonObject();
      expectEqual("Role/trainer-service-mpijobs apiGroups", List.of("kubeflow.org"), strings(r.getAsJsonArray("apiGroups")));
      expectEqual("Role/trainer-service-mpijobs resources", List.of("mpijobs"), strings(r.getAsJsonArray("resources")));
      expectEqual("Role/trainer-service-mpijobs verbs", TRAINER_MPIJOB_VERBS, new HashSet<>(strings(r.getAsJsonArray("verbs"))));
    }
    String sa = KubernetesModelValidator.string(
        trainer.getAsJsonObject("spec").getAsJsonObject("template").getAsJsonObject("spec"), "serviceAccountName");
    JsonObject binding = find("RoleBinding", "trainer-service-mpijobs");
    boolean bound = binding != null
        && "trainer-service-mpijobs".equals(KubernetesModelValidator.string(binding.getAsJsonObject("roleRef"), "name"))
        && strings(binding.getAsJsonArray("subjects"), "name").contains(sa);
    if (sa == null || find("ServiceAccount", sa) == null || !bound) {
      out.add("the trainer's ServiceAccount (" + sa + ") must exist and be bound to Role trainer-service-mpijobs");
    }
  }

  private void inferenceScaling() {
    JsonObject inference = find("Deployment", "inference-service");
    if (inference == null) {
      return;
    }
    JsonObject hpa = find("HorizontalPodAutoscaler", "inference-service");
    JsonObject pdb = find("PodDisruptionBudget", "inference-service");
    if (hpa == null || pdb == null) {
      out.add("inference-service needs a HorizontalPodAutoscaler and a PodDisruptionBudget");
      return;
    }
    JsonObject target = hpa.getAsJsonObject("spec").getAsJsonObject("scaleTargetRef");
    if (!"Deployment".equals(KubernetesModelValidator.string(target, "kind"))
        || !"inference-service".equals(KubernetesModelValidator.string(target, "name"))) {
      out.add("HorizontalPodAutoscaler/inference-service does not scale Deployment inference-service: " + target);
    }
    int min = hpa.getAsJsonObject("spec").get("minReplicas").getAsInt();
    JsonElement minAvailable = pdb.getAsJsonObject("spec").get("minAvailable");
    if (minAvailable == null || !minAvailable.getAsJsonPrimitive().isNumber() || minAvailable.getAsInt() >= min) {
      out.add("PodDisruptionBudget/inference-service: minAvailable must be a number below the autoscaler's minReplicas " + min);
    }
    if (inference.getAsJsonObject("spec").has("replicas")) {
      out.add("Deployment/inference-service: no replicas field, the autoscaler owns the count");
    }
    JsonObject sel = pdb.getAsJsonObject("spec").getAsJsonObject("selector").getAsJsonObject("matchLabels");
    if (!selects(sel, inference.getAsJsonObject("spec").getAsJsonObject("template"))) {
      out.add("PodDisruptionBudget/inference-service does not select the inference pods");
    }
  }

  private static boolean selects(JsonObject matchLabels, JsonObject podTemplate) {
    JsonObject labels = podTemplate.getAsJsonObject("metadata").getAsJsonObject("labels");
    if (matchLabels == null || matchLabels.isEmpty() || labels == null) {
      return false;
    }
    for (Map.Entry<String, JsonElement> e : matchLabels.entrySet()) {
      if (!labels.has(e.getKey()) || !labels.get(e.getKey()).equals(e.getValue())) {
        return false;
      }
    }
    return true;
  }

  private JsonObject container(JsonObject podSpec, String name, String where) {
    for (JsonElement ce : podSpec.getAsJsonArray("containers")) {
      if (name.equals(KubernetesModelValidator.string(ce.getAsJsonObject(), "name"))) {
        return ce.getAsJsonObject();
      }
    }
    out.add(where + ": no container named " + name);
    return null;
  }

  private static Map<String, Integer> containerPorts(JsonObject c) {
    Map<String, Integer> ports = new java.util.HashMap<>();
    JsonArray ps = c.getAsJsonArray("ports");
    if (ps != null) {
      for (JsonElement pe : ps) {
        JsonObject p = pe.getAsJsonObject();
        if (p.has("name") && p.has("containerPort")) {
          ports.put(p.get("name").getAsString(), p.get("containerPort").getAsInt());
        }
      }
    }
    return ports;
  }

  private JsonObject find(String kind, String name) {
    return find(objects, kind, name);
  }

  private JsonObject findAnywhere(String kind, String name) {
    JsonObject o = find(objects, kind, name);
    return o != null ? o : find(context, kind, name);
  }

  private static JsonObject find(List<JsonObject> in, String kind, String name) {
    for (JsonObject o : in) {
      if (kind.equals(KubernetesModelValidator.string(o, "kind")) && Objects.equals(name, KubernetesModelValidator.nameOf(o))) {
        return o;
      }
    }
    return null;
  }

  private static List<String> strings(JsonArray a) {
    List<String> s = new ArrayList<>();
    if (a != null) {
      a.forEach(e -> s.add(e.getAsString()));
    }
    return s;
  }

  private static List<String> strings(JsonArray a, String field) {
    List<String> s = new ArrayList<>();
    if (a != null) {
      a.forEach(e -> s.add(KubernetesModelValidator.string(e.getAsJsonObject(), field)));
    }
    return s;
  }

  private void expectEqual(String what, Object expected, Object actual) {
    if (!Objects.equals(expected, actual)) {
      out.add(what + ": expected " + expected + ", got " + actual);
    }
  }
}
