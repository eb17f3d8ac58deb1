package dev.vvtq.qat.nn;

import ai.djl.ndarray.NDArray;

/**
 * Stochastic depth: in training, zeroes a residual branch for a whole sample with probability p and
 * scales the kept ones by 1/(1-p). Masks come from the context's seeded Java generator so that a run
 * replays exactly after a resume.
 */
public final class DropPath {
  private DropPath() {}

  /** Applies drop-path to a [B, ...] branch output. */
  public static NDArray apply(NDArray x, double p, ForwardContext ctx) {
    if (!ctx.training() || p <= 0) {
      return x;
    }
    int batch = (int) x.getShape().get(0);
    float keep = (float) (1 - p);
    float[] mask = new float[batch];
    for (int i = 0; i < batch; i++) {
      mask[i] = ctx.random().nextDouble() < keep ? 1f / keep : 0f;
    }
    long[] shape = new long[x.getShape().dimension()];
    java.util.Arrays.fill(shape, 1);
    shape[0] = batch;
    NDArray m = TorchArrays.create(ctx.manager(), mask, new ai.djl.ndarray.types.Shape(shape));
    return x.mul(m);
  }
}
