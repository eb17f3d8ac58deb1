package dev.vvtq.trainer.kubernetes;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The kubernetes launcher's settings, {@code vvtq.trainer.kubernetes.*} (deploy/README.md). */
@ConfigMapping(prefix = "vvtq.trainer.kubernetes")
public interface KubernetesLauncherConfig {

  /** Namespace of the MPIJobs; default: the client's (in a pod, the trainer's own). */
  Optional<String> namespace();

  /** The trainer image (Open MPI, sshd, the vvtq CLI): launcher and workers. */
  @WithDefault("vvtq/trainer-service:0.1.0")
  String image();

  /** Ranks per worker pod (and GPUs per worker for GPU jobs). */
  @WithDefault("1")
  int slotsPerWorker();

  @WithDefault("4")
  String workerCpu();

  @WithDefault("8Gi")
  String workerMemory();

  @WithDefault("12Gi")
  String workerMemoryLimit();

  /** The ConfigMap with VVTQ_STORE_LOCATION, _ENDPOINT, _REGION, _PATH_STYLE (deploy/base). */
  @WithDefault("vvtq-store")
  String storeConfigMap();

  /** The Secret with the store's access-key and secret-key. */
  @WithDefault("vvtq-store-credentials")
  String storeSecret();

  /** A PersistentVolumeClaim with the datasets, mounted read-only in every worker. */
  Optional<String> dataClaim();

  @WithDefault("/data")
  String dataMountPath();

  /** Node labels GPU workers must have, e.g. {@code vvtq.trainer.kubernetes.gpu-node-selector."nvidia.com/gpu.present"=true}. */
  Map<String, String> gpuNodeSelector();

  /** Taints GPU workers tolerate, as {@code key[=value]:Effect}, comma-separated. */
  Optional<List<String>> gpuTolerations();

  /** How long a finished MPIJob the trainer did not delete (it deletes its own) stays. */
  @WithDefault("86400")
  int ttlSecondsAfterFinished();
}
