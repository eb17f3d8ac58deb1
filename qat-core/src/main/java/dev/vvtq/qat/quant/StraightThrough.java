package dev.vvtq.qat.quant;

import ai.djl.ndarray.NDArray;

/** The two autograd tricks of LSQ, written exactly as the reference writes them. */
public final class StraightThrough {
  private StraightThrough() {}

  /** {@code sg(round(x) - x) + x}: rounds (half to even) forward, identity backward. */
  public static NDArray roundPass(NDArray x) {
    return x.round().sub(x).stopGradient().add(x);
  }

  /** {@code sg(a - a*g) + a*g}: value {@code a}, gradient scaled by {@code g}. */
  public static NDArray gradScale(NDArray a, float g) {
    NDArray scaled = a.mul(g);
    return a.sub(scaled).stopGradient().add(scaled);
  }
}
