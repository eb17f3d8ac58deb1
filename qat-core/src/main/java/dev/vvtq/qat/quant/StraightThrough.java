package dev.vvtq.qat.quant;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.vvtq.qat.nn.TorchArrays;

/** The two autograd tricks of LSQ, written exactly as the reference writes them. */
public final class StraightThrough {
  private StraightThrough() {}

  /** {@code sg(round(x) - x) + x}: rounds (half to even) forward, identity backward. */
  public static NDArray roundPass(NDArray x) {
    return x.round().sub(x).stopGradient().add(x);
  }

  /**
   * {@code clamp(x, lo, hi)} as the reference writes it, {@code maximum(minimum(x, hi), lo)} against
   * constant tensors: the same values as {@code clip}, but an element exactly on a bound gets half
   * the gradient (PyTorch splits the gradient of {@code minimum}/{@code maximum} at a tie between
   * both inputs, and the bound's half goes nowhere), where {@code clip} passes all of it.
   */
  public static NDArray clamp(NDArray x, int lo, int hi, NDManager manager) {
    return x.minimum(TorchArrays.scalar(manager, hi)).maximum(TorchArrays.scalar(manager, lo));
  }

  /**
   * {@code sg(a - a*g) + a*g}: value {@code a}, gradient scaled by {@code g}. The constant {@code g}
   * lives on {@code manager}, which must outlive the backward pass.
   */
  public static NDArray gradScale(NDArray a, float g, NDManager manager) {
    NDArray scaled = a.mul(TorchArrays.scalar(manager, g));
    return a.sub(scaled).stopGradient().add(scaled);
  }
}
