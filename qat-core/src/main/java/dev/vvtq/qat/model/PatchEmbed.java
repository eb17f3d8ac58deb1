package dev.vvtq.qat.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.vvtq.qat.nn.ForwardContext;
import dev.vvtq.qat.nn.InitRandom;
import dev.vvtq.qat.nn.Layer;
import dev.vvtq.qat.quant.ActivationQuantizer;
import dev.vvtq.qat.quant.QuantConv2d;
import dev.vvtq.qat.quant.QuantRange;

/** Image to patch tokens: an 8-bit quantized image and an 8-bit convolution with stride = patch. */
public final class PatchEmbed extends Layer {
  private final int imgSize;
  private final ActivationQuantizer quant;
  private final QuantConv2d proj;

  public PatchEmbed(DeitConfig c) {
    this.imgSize = c.imgSize();
    int bits = c.edgeBits();
    this.quant = QuantRange.isFloat(bits) ? null : child("quant", new ActivationQuantizer(bits, true, false, 1));
    this.proj = child("proj", new QuantConv2d(c.inChans(), c.embedDim(), c.patchSize(), bits));
  }

  @Override
  protected void initializeOwn(NDManager manager, InitRandom random) {}

  /** [B, C, H, W] to [B, N, D]. */
  public NDArray forward(NDArray x, ForwardContext ctx) {
    long h = x.getShape().get(2);
    long w = x.getShape().get(3);
    if (h != imgSize || w != imgSize) {
      throw new IllegalArgumentException(
          "input image is " + h + "x" + w + " but the model takes " + imgSize + "x" + imgSize);
    }
    NDArray y = proj.forward(Attention.quantize(quant, x, ctx), ctx);
    long b = y.getShape().get(0);
    long d = y.getShape().get(1);
    return y.reshape(b, d, -1).transpose(0, 2, 1);
  }
}
