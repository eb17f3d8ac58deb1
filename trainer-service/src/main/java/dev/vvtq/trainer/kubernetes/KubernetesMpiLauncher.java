package dev.vvtq.trainer.kubernetes;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Submits, follows and deletes the trainer's MPIJobs through the Kubernetes API, in one namespace,
 * with exactly the verbs deploy/base/trainer-rbac.yaml grants (create, get, list, watch, delete).
 */
public final class KubernetesMpiLauncher {

  static final ResourceDefinitionContext MPIJOBS = new ResourceDefinitionContext.Builder()
      .withGroup("kubeflow.org").withVersion("v2beta1").withKind(MpiJobFactory.KIND).withPlural("mpijobs")
      .withNamespaced(true).build();

  private static final Duration STOP_CHECK = Duration.ofMillis(500);

  private final KubernetesClient client;
  private final String namespace;

  public KubernetesMpiLauncher(KubernetesClient client, String namespace) {
    this.client = Objects.requireNonNull(client, "client");
    this.namespace = namespace != null ? namespace : client.getNamespace();
    if (this.namespace == null || this.namespace.isBlank()) {
      throw new IllegalArgumentException("no namespace for MPIJobs: set vvtq.trainer.kubernetes.namespace");
    }
  }

  /** The namespace the MPIJobs go to. */
  public String namespace() {
    return namespace;
  }

  /**
   * Creates {@code job}. If an MPIJob of that name exists already for the same trainer job (a
   * restarted trainer resubmitting), that one is returned: no second run. A refusal by the API is
   * an {@link MpiJobRefusedException} that says what to fix.
   */
  public GenericKubernetesResource submit(GenericKubernetesResource job) {
    String name = job.getMetadata().getName();
    try {
      return jobs().resource(job).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        GenericKubernetesResource existing = jobs().withName(name).get();
        String wanted = job.getMetadata().getAnnotations().get(MpiJobFactory.JOB_ID_ANNOTATION);
        if (existing != null && wanted != null
            && wanted.equals(existing.getMetadata().getAnnotations() == null ? null
                : existing.getMetadata().getAnnotations().get(MpiJobFactory.JOB_ID_ANNOTATION))) {
          return existing;
        }
      }
      throw refused("create", name, e);
    }
  }

  /** The job's status now ({@link MpiJobStatus.Phase#GONE} when it is not there). */
  public MpiJobStatus status(String name) {
    try {
      return MpiJobStatus.of(jobs().withName(name).get());
    } catch (KubernetesClientException e) {
      throw refused("get", name, e);
    }
  }

  /**
   * Follows the job until it is terminal, {@code timeout} passes or {@code stop} says so (asked
   * about twice a second), calling {@code onChange} with each new status (the current one first).
   * Returns the last status seen.
   */
  public MpiJobStatus await(String name, Duration timeout, BooleanSupplier stop, Consumer<MpiJobStatus> onChange)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    LinkedBlockingQueue<Object> events = new LinkedBlockingQueue<>();
    MpiJobStatus last = null;
    while (true) {
      Watch watch;
      try {
        watch = jobs().withName(name).watch(new Watcher<>() {
          @Override
          public void eventReceived(Action action, GenericKubernetesResource resource) {
            events.add(action == Action.DELETED ? MpiJobStatus.GONE : MpiJobStatus.of(resource));
          }

          @Override
          public void onClose(WatcherException cause) {
            events.add(cause);
          }
        });
      } catch (KubernetesClientException e) {
        throw refused("watch", name, e);
      }
      try {
        // After the watch is open, so no change falls between the two.
        MpiJobStatus now = status(name);
        if (!now.equals(last)) {
          onChange.accept(now);
          last = now;
        }
        while (!last.phase().terminal()) {
          long left = deadline - System.nanoTime();
          if (left <= 0 || stop.getAsBoolean()) {
            return last;
          }
          Object e = events.poll(Math.min(left, STOP_CHECK.toNanos()), TimeUnit.NANOSECONDS);
          if (e == null) {
            continue;
          }
          if (e instanceof WatcherException) {
            break; // the watch ended (e.g. too old a version): open a new one and read the status again
          }
          MpiJobStatus s = (MpiJobStatus) e;
          if (!s.equals(last)) {
            onChange.accept(s);
            last = s;
          }
        }
        if (last.phase().terminal()) {
          return last;
        }
      } finally {
        watch.close();
      }
    }
  }

  /**
   * Deletes the job and, through the operator's owner references, its launcher and worker pods.
   * Returns whether it was there.
   */
  public boolean delete(String name) {
    try {
      return !jobs().withName(name).withPropagationPolicy(DeletionPropagation.BACKGROUND).delete().isEmpty();
    } catch (KubernetesClientException e) {
      throw refused("delete", name, e);
    }
  }

  /** Names of this trainer's MPIJobs whose job id is not in {@code liveJobIds}: left by an earlier process, to delete. */
  public List<String> orphans(Set<String> liveJobIds) {
    GenericKubernetesResourceList list;
    try {
      list = jobs().withLabel(MpiJobFactory.MANAGED_BY_LABEL, MpiJobFactory.MANAGED_BY).list();
    } catch (KubernetesClientException e) {
      throw refused("list", "(all)", e);
    }
    List<String> out = new ArrayList<>();
    for (GenericKubernetesResource j : list.getItems()) {
      String id = j.getMetadata().getAnnotations() == null ? null : j.getMetadata().getAnnotations().get(MpiJobFactory.JOB_ID_ANNOTATION);
      if (id == null || !liveJobIds.contains(id)) {
        out.add(j.getMetadata().getName());
      }
    }
    return out;
  }

  private NonNamespaceOperation<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>> jobs() {
    return client.genericKubernetesResources(MPIJOBS).inNamespace(namespace);
  }

  private MpiJobRefusedException refused(String verb, String name, KubernetesClientException e) {
    String what = "MPIJob " + name + " in namespace " + namespace;
    String why = e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : e.getMessage();
    String fix = switch (e.getCode()) {
      case 401, 403 -> "the trainer's ServiceAccount may not " + verb + " mpijobs.kubeflow.org there; bind it to the Role "
          + "in deploy/base/trainer-rbac.yaml (create, get, list, watch, delete on mpijobs)";
      case 404 -> "the API does not serve kubeflow.org/v2beta1 MPIJobs there; install the MPI Operator (deploy/README.md)";
      case 409 -> "an MPIJob of that name exists for another job; delete it or use another job id";
      case 422 -> "the API found the MPIJob invalid";
      default -> "the Kubernetes API answered " + (e.getCode() > 0 ? "HTTP " + e.getCode() : "nothing");
    };
    return new MpiJobRefusedException("cannot " + verb + " " + what + ": " + fix + " (" + why + ")", e);
  }
}
