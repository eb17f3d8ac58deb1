package dev.vvtq.qat.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.vvtq.qat.nn.TorchArrays;
import dev.vvtq.qat.quant.QuantizedWeight;
import java.util.List;

/**
 * VVTQ's oscillation-aware bin regulariser (VVTQ-METHOD section 4). Per layer: {@code
 * mean((sg(Wq) - Wc)^2)} plus, for every integer bin with more than one member, the unbiased
 * variance of the clipped weights in that bin.
 *
 * <p>Bins make this a scatter over integer values, which DJL cannot express cheaply (a sort-based
 * version cost more than the whole rest of the step). The bins are fixed (no gradient), so the
 * value and its exact gradient with respect to {@code Wc} are computed in Java in double precision,
 * and autograd receives {@code sum(Wc * sg(dR/dWc))}: a term whose gradient through {@code Wc} (to
 * the weights and the step size) equals the regulariser's.
 */
public final class BinRegularizer {
  private BinRegularizer() {}

  /**
   * The regulariser of some layers.
   *
   * @param value sum over layers of R_layer
   * @param gradientCarrier a scalar whose gradient equals the regulariser's (its value is not R)
   */
  public record Term(double value, NDArray gradientCarrier) {}

  /** R summed over the recorded layers, and its gradient carrier on {@code manager}. */
  public static Term of(List<QuantizedWeight> layers, NDManager manager) {
    double value = 0;
    NDArray carrier = null;
    for (QuantizedWeight w : layers) {
      float[] clipped = w.clipped().toFloatArray();
      float[] quantized = w.quantized().toFloatArray();
      float[] ints = w.integers().toFloatArray();
      float[] grad = new float[clipped.length];
      value += layer(clipped, quantized, ints, w.range().qn(), w.range().qp(), grad);
      NDArray g = TorchArrays.create(manager, grad, w.clipped().getShape());
      NDArray term = w.clipped().mul(g).sum();
      carrier = carrier == null ? term : carrier.add(term);
    }
    if (carrier == null) {
      carrier = manager.zeros(new Shape());
    }
    return new Term(value, carrier);
  }

  /**
   * R of one layer from its clipped weights {@code Wc}, quantized weights {@code Wq} and integer
   * bins; writes {@code dR/dWc} into {@code grad}.
   */
  public static double layer(float[] clipped, float[] quantized, float[] ints, int qn, int qp, float[] grad) {
    int n = clipped.length;
    int bins = qp - qn + 1;
    long[] count = new long[bins];
    double[] sum = new double[bins];
    double mse = 0;
    for (int i = 0; i < n; i++) {
      int b = (int) ints[i] - qn;
      count[b]++;
      sum[b] += clipped[i];
      double d = clipped[i] - (double) quantized[i];
      mse += d * d;
    }
    double[] mean = new double[bins];
    for (int b = 0; b < bins; b++) {
      mean[b] = count[b] == 0 ? 0 : sum[b] / count[b];
    }
    double[] squares = new double[bins];
    for (int i = 0; i < n; i++) {
      int b = (int) ints[i] - qn;
      double d = clipped[i] - mean[b];
      squares[b] += d * d;
      double g = 2 * (clipped[i] - (double) quantized[i]) / n;
      if (count[b] > 1) {
        g += 2 * d / (count[b] - 1);
      }
      grad[i] = (float) g;
    }
    double variance = 0;
    for (int b = 0; b < bins; b++) {
      if (count[b] > 1) {
        variance += squares[b] / (count[b] - 1);
      }
    }
    return mse / n + variance;
  }
}
