package dev.vvtq.qat.distributed;

import ai.djl.ndarray.NDArray;
import dev.vvtq.qat.model.QuantDeit;
import dev.vvtq.qat.nn.Param;
import dev.vvtq.qat.quant.ActivationQuantizer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes every rank start from rank 0's state: each parameter (weights, step sizes, offsets), the
 * activation quantizers' initialised flags and the optimizer's moments and step count are
 * broadcast, so the ranks begin bit-identical whatever each computed on its own.
 */
public final class StartState {
  private StartState() {}

  /**
   * Broadcasts rank 0's model and optimizer state to every rank (a no-op in one process).
   *
   * @param optimizerState the optimizer's tensors, in the same order on every rank
   * @param optimizerSteps this rank's optimizer step count
   * @return rank 0's optimizer step count
   */
  public static long broadcast(QuantDeit model, List<NDArray> optimizerState, long optimizerSteps, ProcessGroup group) {
    if (group.size() == 1) {
      return optimizerSteps;
    }
    for (Param p : model.namedParameters().values()) {
      broadcastArray(p.array(), group);
    }
    List<ActivationQuantizer> quantizers = new ArrayList<>(model.activationQuantizers().values());
    ByteBuffer flags = ByteBuffer.allocateDirect(Math.max(1, quantizers.size()));
    for (ActivationQuantizer q : quantizers) {
      flags.put((byte) (q.isInitialized() ? 1 : 0));
    }
    flags.flip();
    group.broadcastFromRoot(flags);
    for (int i = 0; i < quantizers.size(); i++) {
      quantizers.get(i).markInitialized(flags.get(i) != 0);
    }
    for (NDArray moment : optimizerState) {
      broadcastArray(moment, group);
    }
    ByteBuffer steps = ByteBuffer.allocateDirect(Long.BYTES).order(ByteOrder.nativeOrder());
    steps.putLong(0, optimizerSteps);
    group.broadcastFromRoot(steps);
    return steps.getLong(0);
  }

  private static void broadcastArray(NDArray a, ProcessGroup group) {
    if (a.getDevice().isGpu()) {
      // Debian's Open MPI cannot read device memory: through the host and back.
      ByteBuffer host = ByteBuffer.allocateDirect(Math.toIntExact(a.size() * Float.BYTES)).order(ByteOrder.nativeOrder());
      host.put(a.toByteBuffer()).flip();
      group.broadcastFromRoot(host);
      a.set(host.asFloatBuffer());
      return;
    }
    ByteBuffer view = a.toByteBuffer(true);
    if (!view.isDirect()) {
      throw new IllegalStateException("array of shape " + a.getShape() + " is not a contiguous CPU tensor;"
          + " broadcasting into DJL's copy would leave it unchanged");
    }
    group.broadcastFromRoot(view);
  }
}
