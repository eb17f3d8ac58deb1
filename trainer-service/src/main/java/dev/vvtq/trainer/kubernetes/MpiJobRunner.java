package dev.vvtq.trainer.kubernetes;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Runs one training job as an MPIJob from submission to its end: follows its status, deletes it
 * when the job is cancelled (the ranks get SIGTERM and checkpoint) and once it has ended, so no
 * MPIJob outlives its job. The run's progress, checkpoints and record are in the store (rank 0
 * writes them), where the trainer follows them as for any run.
 */
public final class MpiJobRunner {

  /** How a run ended. */
  public record Outcome(MpiJobStatus status, boolean cancelled) {}

  private final KubernetesMpiLauncher launcher;
  private final MpiJobSettings settings;
  private final Duration maxRunTime;

  public MpiJobRunner(KubernetesMpiLauncher launcher, MpiJobSettings settings, Duration maxRunTime) {
    this.launcher = launcher;
    this.settings = settings;
    this.maxRunTime = maxRunTime;
  }

  /**
   * Submits {@code request}'s MPIJob and waits for its end, reporting each status to {@code onChange}.
   * {@code cancel} is asked about twice a second; once it says yes the MPIJob is deleted. A refused
   * submission is an {@link MpiJobRefusedException}; a run past {@code maxRunTime} is deleted and
   * reported FAILED.
   */
  public Outcome run(MpiJobRequest request, BooleanSupplier cancel, Consumer<MpiJobStatus> onChange)
      throws InterruptedException {
    GenericKubernetesResource job = launcher.submit(MpiJobFactory.build(request, settings));
    String name = job.getMetadata().getName();
    try {
      MpiJobStatus last = launcher.await(name, maxRunTime, cancel, onChange);
      if (last.phase().terminal()) {
        return new Outcome(last, false);
      }
      if (cancel.getAsBoolean()) {
        return new Outcome(last, true);
      }
      return new Outcome(new MpiJobStatus(MpiJobStatus.Phase.FAILED, "DeadlineExceeded",
          "the MPIJob ran longer than " + maxRunTime + " and was deleted"), false);
    } finally {
      // Interrupted or not, the MPIJob goes with its job.
      launcher.delete(name);
    }
  }
}
