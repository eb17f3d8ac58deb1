package dev.vvtq.trainer.kubernetes;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One distributed training job for the kubernetes launcher: the service's job id and run id, the
 * world size, the device, and the {@code vvtq train} flags of the run. The launcher adds the store
 * and the run id itself (the cluster's store, from {@link MpiJobSettings}), so the flags must not.
 */
public record MpiJobRequest(String jobId, String runId, int processes, Device device, List<String> trainArgs) {

  /** Where the ranks compute. */
  public enum Device { CPU, GPU }

  /** Flags the launcher sets from the cluster's configuration. */
  static final Set<String> RESERVED_FLAGS = Set.of("--store", "--save_checkpoint_path", "--store-option", "--run-id", "--device");

  public MpiJobRequest {
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(device, "device");
    trainArgs = List.copyOf(trainArgs);
    if (jobId.isBlank() || runId.isBlank()) {
      throw new IllegalArgumentException("an MPIJob needs a job id and a run id");
    }
    if (processes < 1) {
      throw new IllegalArgumentException("processes must be >= 1, got " + processes);
    }
    for (String a : trainArgs) {
      String flag = a.split("=", 2)[0];
      if (RESERVED_FLAGS.contains(flag)) {
        throw new IllegalArgumentException(flag + " is set by the kubernetes launcher (the cluster's store, the job's run id and device)");
      }
    }
  }
}
