package dev.vvtq.qat.quant;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import dev.vvtq.qat.nn.ForwardContext;
import dev.vvtq.qat.nn.InitRandom;
import dev.vvtq.qat.nn.Layer;
import dev.vvtq.qat.nn.Param;
import dev.vvtq.qat.nn.ParamKind;

/**
 * The patch-embedding convolution (kernel = stride = patch, no padding) with a fake-quantized
 * weight. Initialised as PyTorch's Conv2d default (uniform with bound 1/sqrt(fan_in)), which timm's
 * ViT leaves untouched.
 */
public final class QuantConv2d extends Layer implements WeightQuantized {
  private final int inChannels;
  private final int outChannels;
  private final int kernel;
  private final Param weight;
  private final Param bias;
  private final WeightQuantizer quantizer;

  public QuantConv2d(int inChannels, int outChannels, int kernel, int bits) {
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernel = kernel;
    this.weight = param("weight", ParamKind.WEIGHT, new Shape(outChannels, inChannels, kernel, kernel));
    this.bias = param("bias", ParamKind.BIAS, new Shape(outChannels));
    this.quantizer =
        QuantRange.isFloat(bits)
            ? null
            : new WeightQuantizer(param("alpha", ParamKind.STEP, WeightQuantizer.stepShape(1)), bits, 1, GroupAxis.OUT);
  }

  @Override
  protected void initializeOwn(NDManager manager, InitRandom random) {
    int fanIn = inChannels * kernel * kernel;
    double bound = 1.0 / Math.sqrt(fanIn);
    weight.assign(manager, random.uniform(outChannels * fanIn, bound));
    bias.assign(manager, random.uniform(outChannels, bound));
    if (quantizer != null) {
      quantizer.initializePlaceholder(manager);
    }
  }

  /** [B, C, H, W] to [B, D, H/k, W/k]. */
  public NDArray forward(NDArray x, ForwardContext ctx) {
    NDArray w = quantizer == null ? weight.array() : quantizer.quantize(path(), weight.array(), ctx);
    return Conv2d.conv2d(x, w, bias.array(), new Shape(kernel, kernel)).singletonOrThrow();
  }

  @Override
  public Param weight() {
    return weight;
  }

  /** The bias. */
  public Param bias() {
    return bias;
  }

  @Override
  public WeightQuantizer quantizer() {
    return quantizer;
  }
}
