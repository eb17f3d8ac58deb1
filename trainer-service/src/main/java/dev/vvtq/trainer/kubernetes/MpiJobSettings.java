package dev.vvtq.trainer.kubernetes;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What every MPIJob of this trainer shares: the image, where the store's settings and credentials
 * are (the ConfigMap and Secret of deploy/base), each worker's resources and slots, the dataset
 * volume, and the GPU placement. {@link #from} reads them from {@code vvtq.trainer.kubernetes.*}.
 */
public record MpiJobSettings(
    String image,
    int slotsPerWorker,
    String workerCpu,
    String workerMemory,
    String workerMemoryLimit,
    String storeConfigMap,
    String storeSecret,
    Optional<String> dataClaim,
    String dataMountPath,
    Map<String, String> gpuNodeSelector,
    List<String> gpuTolerations,
    int ttlSecondsAfterFinished) {

  public MpiJobSettings {
    Objects.requireNonNull(image, "image");
    if (slotsPerWorker < 1) {
      throw new IllegalArgumentException("slots-per-worker must be >= 1, got " + slotsPerWorker);
    }
    gpuNodeSelector = Map.copyOf(gpuNodeSelector);
    gpuTolerations = List.copyOf(gpuTolerations);
    for (String t : gpuTolerations) {
      if (!t.matches("[^:=]+(=[^:]+)?:(NoSchedule|PreferNoSchedule|NoExecute)")) {
        throw new IllegalArgumentException("a GPU toleration is key[=value]:NoSchedule|PreferNoSchedule|NoExecute, got '" + t + "'");
      }
    }
  }

  /** The settings {@code vvtq.trainer.kubernetes.*} describe. */
  public static MpiJobSettings from(KubernetesLauncherConfig c) {
    return new MpiJobSettings(c.image(), c.slotsPerWorker(), c.workerCpu(), c.workerMemory(), c.workerMemoryLimit(),
        c.storeConfigMap(), c.storeSecret(), c.dataClaim(), c.dataMountPath(), c.gpuNodeSelector(),
        c.gpuTolerations().orElse(List.of()), c.ttlSecondsAfterFinished());
  }
}
