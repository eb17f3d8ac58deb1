package dev.vvtq.qat.quant;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import dev.vvtq.qat.nn.ForwardContext;
import dev.vvtq.qat.nn.InitRandom;
import dev.vvtq.qat.nn.Layer;
import dev.vvtq.qat.nn.Param;
import dev.vvtq.qat.nn.ParamKind;

/**
 * A Linear layer whose weight is fake-quantized (float bias); with {@code bits} <= 0 it is a plain
 * float Linear with the same parameter names. Initialisation follows timm's ViT: truncated normal
 * (std 0.02) weights, zero bias.
 */
public final class QuantLinear extends Layer implements WeightQuantized {
  private final int in;
  private final int out;
  private final Param weight;
  private final Param bias;
  private final WeightQuantizer quantizer;

  /**
   * @param bits weight bits, or <= 0 / >= 32 for float
   * @param groups step groups (heads) for a head-wise layer, else 1
   */
  public QuantLinear(int in, int out, boolean bias, int bits, int groups, GroupAxis axis) {
    this.in = in;
    this.out = out;
    this.weight = param("weight", ParamKind.WEIGHT, new Shape(out, in));
    this.bias = bias ? param("bias", ParamKind.BIAS, new Shape(out)) : null;
    this.quantizer =
        QuantRange.isFloat(bits)
            ? null
            : new WeightQuantizer(param("alpha", ParamKind.STEP, WeightQuantizer.stepShape(groups)), bits, groups, axis);
  }

  @Override
  protected void initializeOwn(NDManager manager, InitRandom random) {
    weight.assign(manager, random.truncatedNormal(in * out, 0.02));
    if (bias != null) {
      bias.fill(manager, 0f);
    }
    if (quantizer != null) {
      quantizer.initializePlaceholder(manager);
    }
  }

  /** {@code x @ Wq^T + b} over the last axis of x. */
  public NDArray forward(NDArray x, ForwardContext ctx) {
    NDArray w = quantizer == null ? weight.array() : quantizer.quantize(path(), weight.array(), ctx);
    return bias == null
        ? Linear.linear(x, w).singletonOrThrow()
        : Linear.linear(x, w, bias.array()).singletonOrThrow();
  }

  @Override
  public Param weight() {
    return weight;
  }

  /** The bias, or null. */
  public Param bias() {
    return bias;
  }

  @Override
  public WeightQuantizer quantizer() {
    return quantizer;
  }

  /** Input features. */
  public int in() {
    return in;
  }

  /** Output features. */
  public int out() {
    return out;
  }
}
