package dev.vvtq.qat.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.vvtq.qat.quant.QuantizedWeight;
import java.util.List;

/**
 * VVTQ's oscillation-aware bin regulariser (VVTQ-METHOD section 4). Per layer: {@code
 * mean((sg(Wq) - Wc)^2)} plus, for every integer bin with more than one member, the unbiased
 * variance of the clipped weights in that bin. Bins are grouped on the device by sorting the integer
 * weights, so the cost is a handful of tensor ops per layer regardless of the bit width.
 */
public final class BinRegularizer {
  private BinRegularizer() {}

  /** Sum over layers of R_layer (a scalar with gradient). */
  public static NDArray total(List<QuantizedWeight> layers, NDManager manager) {
    if (layers.isEmpty()) {
      return manager.zeros(new ai.djl.ndarray.types.Shape());
    }
    NDArray sum = null;
    for (QuantizedWeight w : layers) {
      NDArray r = layer(w);
      sum = sum == null ? r : sum.add(r);
    }
    return sum;
  }

  /** R for one layer. */
  public static NDArray layer(QuantizedWeight w) {
    NDArray mse = w.quantized().stopGradient().sub(w.clipped()).square().mean();
    return mse.add(binVariance(w).toType(DataType.FLOAT32, false));
  }

  /** Sum over bins with >= 2 members of the unbiased variance of the clipped weights (float64). */
  static NDArray binVariance(QuantizedWeight w) {
    NDArray ints = w.integers().flatten();
    // Variance is shift-invariant per bin: subtract the bin centre (a constant there) so sums stay
    // small and the one-pass formula keeps its precision.
    NDArray centre = ints.mul(w.step().stopGradient()).flatten();
    NDArray residual = w.clipped().flatten().sub(centre).toType(DataType.FLOAT64, false);
    NDArray order = ints.argSort(0, true);
    NDArray sorted = residual.get(order);
    NDArray sortedSquares = sorted.square();
    NDList unique = ints.unique(0, true, false, true);
    // DJL returns (values, inverse, counts) whatever the flags.
    NDArray counts = unique.get(2).toType(DataType.INT64, false);
    NDArray ends = counts.cumSum(0);
    NDArray zero = ends.getManager().zeros(new ai.djl.ndarray.types.Shape(1), DataType.FLOAT64);
    NDArray c1 = NDArrays.concat(new NDList(zero, sorted.cumSum(0)));
    NDArray c2 = NDArrays.concat(new NDList(zero, sortedSquares.cumSum(0)));
    NDArray starts = ends.sub(counts);
    NDArray s1 = c1.get(ends).sub(c1.get(starts));
    NDArray s2 = c2.get(ends).sub(c2.get(starts));
    NDArray n = counts.toType(DataType.FLOAT64, false);
    NDArray many = n.gt(1).toType(DataType.FLOAT64, false);
    NDArray denom = n.sub(1).maximum(1);
    NDArray variance = s2.sub(s1.square().div(n)).div(denom).mul(many);
    return variance.sum();
  }
}
