package dev.vvtq.qat.quant;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.vvtq.qat.nn.ForwardContext;
import dev.vvtq.qat.nn.InitRandom;
import dev.vvtq.qat.nn.Layer;
import dev.vvtq.qat.nn.Param;
import dev.vvtq.qat.nn.ParamKind;

/**
 * VVTQ's activation quantizer (LSQ): learned step {@code alpha} (per head when head-wise), optional
 * learned offset {@code beta}, gradient scale {@code 1/sqrt(numel)/Qp}, lazy initialisation from the
 * first batch it sees: {@code alpha = 2 mean|x| / sqrt(2^(n-1) - 1)}.
 */
public final class ActivationQuantizer extends Layer {
  private final QuantRange range;
  private final int groups;
  private final Param alpha;
  private final Param beta;
  private boolean initialized;

  /**
   * @param groups 1, or the number of heads for a head-wise quantizer of a [B, H, N, D] tensor
   * @param offset whether a learned offset {@code beta} is used
   */
  public ActivationQuantizer(int bits, boolean signed, boolean offset, int groups) {
    this.range = new QuantRange(bits, signed);
    this.groups = groups;
    this.alpha = param("alpha", ParamKind.STEP, new Shape(groups));
    this.beta = offset ? param("beta", ParamKind.OFFSET, new Shape(1)) : null;
  }

  @Override
  protected void initializeOwn(NDManager manager, InitRandom random) {
    alpha.fill(manager, 1f);
    if (beta != null) {
      beta.fill(manager, 0f);
    }
    initialized = false;
  }

  /** The integer range. */
  public QuantRange range() {
    return range;
  }

  /** Step groups (heads) or 1. */
  public int groups() {
    return groups;
  }

  /** Whether the quantizer has a learned offset. */
  public boolean hasOffset() {
    return beta != null;
  }

  /** The step parameter. */
  public Param alpha() {
    return alpha;
  }

  /** The offset parameter, or null. */
  public Param beta() {
    return beta;
  }

  /** Whether the step has been initialised (lazily or from a checkpoint). */
  public boolean isInitialized() {
    return initialized;
  }

  /** Marks the step as initialised, e.g. after loading it from a checkpoint. */
  public void markInitialized(boolean value) {
    this.initialized = value;
  }

  /** Quantizes {@code x} (fake quantization: the dequantised values, with STE gradients). */
  public NDArray forward(NDArray x, ForwardContext ctx) {
    if (!initialized) {
      initializeFrom(x);
    }
    if (ctx.recordsActivationRanges()) {
      ctx.recordRange(path(), x.min().getFloat(), x.max().getFloat());
    }
    // Over the global batch: a data-parallel rank sees 1/shards of it.
    long numel = x.getShape().size() * ctx.batchShards();
    float g = (float) (1.0 / Math.sqrt((double) numel / groups) / range.qp());
    NDArray a = StraightThrough.gradScale(alpha.array(), g, ctx.manager());
    if (groups > 1) {
      a = a.reshape(1, groups, 1, 1);
    }
    NDArray shifted = beta == null ? x : x.sub(beta.array());
    NDArray q = StraightThrough.roundPass(StraightThrough.clamp(shifted.div(a), range.qn(), range.qp(), ctx.manager()))
        .mul(a);
    return beta == null ? q : q.add(beta.array());
  }

  private void initializeFrom(NDArray x) {
    NDArray d = x.stopGradient().abs();
    float[] init;
    double denom = Math.sqrt(range.signedQp());
    if (groups == 1) {
      init = new float[] {(float) (2 * d.mean().getFloat() / denom)};
    } else {
      // [B, H, N, D]: one step per head, from that head's mean |x|.
      float[] means = d.transpose(1, 0, 2, 3).reshape(groups, -1).mean(new int[] {1}).toFloatArray();
      init = new float[groups];
      for (int h = 0; h < groups; h++) {
        init[h] = (float) (2 * means[h] / denom);
      }
    }
    for (int i = 0; i < init.length; i++) {
      init[i] = Math.max(init[i], WeightQuantizer.MIN_STEP);
    }
    alpha.assign(init);
    initialized = true;
  }

  /** The steps as used (clamped to at least 1e-4). */
  public float[] clampedSteps() {
    float[] s = alpha.values();
    for (int i = 0; i < s.length; i++) {
      s[i] = Math.max(s[i], WeightQuantizer.MIN_STEP);
    }
    return s;
  }
}
