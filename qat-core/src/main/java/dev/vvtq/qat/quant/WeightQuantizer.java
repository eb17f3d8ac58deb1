package dev.vvtq.qat.quant;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.vvtq.qat.nn.ForwardContext;
import dev.vvtq.qat.nn.Param;
import dev.vvtq.qat.nn.ParamKind;

/**
 * VVTQ's weight quantizer (LSQ): signed n-bit, a learned step per layer (or per head group), gradient
 * scale {@code g = 1/sqrt(sum|W| * Qp)}, straight-through rounding. The step parameter is named
 * {@code alpha} as in the reference.
 */
public final class WeightQuantizer {
  /** Steps below this are clamped (the reference clamps before every use). */
  public static final float MIN_STEP = 1e-4f;

  private final QuantRange range;
  private final int groups;
  private final GroupAxis axis;
  private final Param alpha;

  /** Declares the step parameter on its owning layer. */
  public WeightQuantizer(Param alpha, int bits, int groups, GroupAxis axis) {
    this.range = new QuantRange(bits, true);
    this.groups = groups;
    this.axis = axis;
    this.alpha = alpha;
    if (alpha.shape().size() != groups) {
      throw new IllegalArgumentException("step shape " + alpha.shape() + " does not hold " + groups + " groups");
    }
  }

  /** The shape of the step parameter for a group count. */
  public static Shape stepShape(int groups) {
    return new Shape(groups);
  }

  /** The integer range. */
  public QuantRange range() {
    return range;
  }

  /** Number of step groups (1 unless head-wise). */
  public int groups() {
    return groups;
  }

  /** The grouping axis when head-wise. */
  public GroupAxis axis() {
    return axis;
  }

  /** The step parameter. */
  public Param alpha() {
    return alpha;
  }

  /** Placeholder values until MSE initialisation replaces them. */
  public void initializePlaceholder(NDManager manager) {
    alpha.fill(manager, 1f);
  }

  /**
   * Quantizes a weight for a forward pass. Records the pieces the regulariser needs when the
   * context asks for them.
   */
  public NDArray quantize(String layer, NDArray weight, ForwardContext ctx) {
    Shape shape = weight.getShape();
    float sumAbs = weight.abs().sum().getFloat();
    // Head-wise: each group sees 1/G of the weights, as in the reference's multi-head layers.
    float g = (float) (1.0 / Math.sqrt((double) sumAbs / groups * range.qp()));
    NDArray a = StraightThrough.gradScale(alpha.array(), g, ctx.manager());
    NDArray w = grouped(weight);
    NDArray aB = a.reshape(broadcastShape());
    NDArray clippedInt = StraightThrough.clamp(w.div(aB), range.qn(), range.qp(), ctx.manager());
    NDArray quantized = StraightThrough.roundPass(clippedInt).mul(aB).reshape(shape);
    if (ctx.recordsWeights()) {
      NDArray clipped = clippedInt.mul(aB).reshape(shape);
      NDArray integers = clippedInt.stopGradient().round().reshape(shape);
      ctx.record(
          new QuantizedWeight(layer, quantized, clipped, integers, groupStepPerElement(a, shape), range));
    }
    return quantized;
  }

  private NDArray grouped(NDArray weight) {
    if (groups == 1) {
      return weight;
    }
    Shape s = weight.getShape();
    long out = s.get(0);
    long in = s.size() / out;
    return axis == GroupAxis.OUT
        ? weight.reshape(groups, out / groups, in)
        : weight.reshape(out, groups, in / groups);
  }

  private Shape broadcastShape() {
    if (groups == 1) {
      return new Shape(1);
    }
    return axis == GroupAxis.OUT ? new Shape(groups, 1, 1) : new Shape(1, groups, 1);
  }

  private NDArray groupStepPerElement(NDArray a, Shape shape) {
    if (groups == 1) {
      return a;
    }
    long out = shape.get(0);
    long in = shape.size() / out;
    NDArray grid = axis == GroupAxis.OUT
        ? a.reshape(groups, 1, 1).broadcast(new Shape(groups, out / groups, in))
        : a.reshape(1, groups, 1).broadcast(new Shape(out, groups, in / groups));
    return grid.reshape(shape);
  }

  /** The integer view for export: {@code W_int = round(clamp(W / alpha, Qn, Qp))}, per group. */
  public int[] integerWeights(float[] weight, long[] shape) {
    float[] steps = clampedSteps();
    long out = shape[0];
    long in = weight.length / out;
    int[] q = new int[weight.length];
    for (int o = 0; o < out; o++) {
      for (int i = 0; i < in; i++) {
        int idx = (int) (o * in + i);
        int grp = groups == 1 ? 0 : axis == GroupAxis.OUT ? (int) (o / (out / groups)) : (int) (i / (in / groups));
        q[idx] = roundClamp(weight[idx] / steps[grp], range);
      }
    }
    return q;
  }

  /** The steps as used (clamped to at least {@link #MIN_STEP}). */
  public float[] clampedSteps() {
    float[] s = alpha.values();
    for (int i = 0; i < s.length; i++) {
      s[i] = Math.max(s[i], MIN_STEP);
    }
    return s;
  }

  /** Round half to even of a clamped value, in float as PyTorch does. */
  static int roundClamp(float v, QuantRange r) {
    float c = Math.min(Math.max(v, r.qn()), r.qp());
    return (int) Math.rint(c);
  }
}
