package dev.vvtq.qat.distributed;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.Locale;

/**
 * The {@code --device} of a training run: {@code cpu}, {@code gpu} (under mpirun the rank's local
 * GPU, {@code OMPI_COMM_WORLD_LOCAL_RANK}; else GPU 0) or {@code gpu:N}.
 */
public final class DeviceChoice {
  private DeviceChoice() {}

  /** The device {@code value} names for this launch; throws naming the accepted forms. */
  public static Device parse(String value, Launch launch) {
    String v = value == null ? "cpu" : value.trim().toLowerCase(Locale.ROOT);
    if (v.equals("cpu")) {
      return Device.cpu();
    }
    if (v.equals("gpu") || v.equals("cuda")) {
      return Device.gpu(launch.localRank());
    }
    if (v.startsWith("gpu:") || v.startsWith("cuda:")) {
      try {
        int id = Integer.parseInt(v.substring(v.indexOf(':') + 1));
        if (id >= 0) {
          return Device.gpu(id);
        }
      } catch (NumberFormatException ignored) {
        // falls through to the message below
      }
    }
    throw new IllegalArgumentException("--device " + value + ": use cpu, gpu (this rank's local GPU) or gpu:N");
  }

  /**
   * Throws when {@code device} is a GPU this process cannot use: the CPU build of libtorch sees none,
   * so a GPU run needs the {@code cuda} build and a visible device.
   */
  public static void checkAvailable(Device device) {
    if (!device.isGpu()) {
      return;
    }
    int visible = Engine.getInstance().getGpuCount();
    if (device.getDeviceId() >= visible) {
      throw new IllegalArgumentException("--device " + device + ": " + visible + " CUDA device(s) visible to PyTorch "
          + Engine.getInstance().getVersion() + "; a GPU run needs the CUDA build (./mvnw -Pcuda -pl cli -am package"
          + " -DskipTests) on a machine with an NVIDIA driver, and under mpirun no more ranks per node than GPUs");
    }
  }
}
