package dev.vvtq.qat.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Activation;
import dev.vvtq.qat.nn.ForwardContext;
import dev.vvtq.qat.nn.InitRandom;
import dev.vvtq.qat.nn.Layer;
import dev.vvtq.qat.quant.ActivationQuantizer;
import dev.vvtq.qat.quant.GroupAxis;
import dev.vvtq.qat.quant.QuantLinear;
import dev.vvtq.qat.quant.QuantRange;

/** The transformer MLP: quantized input, fc1, exact GELU, unsigned-with-offset quantizer, fc2. */
public final class Mlp extends Layer {
  private final ActivationQuantizer quant1;
  private final QuantLinear fc1;
  private final ActivationQuantizer quant2;
  private final QuantLinear fc2;

  public Mlp(DeitConfig c) {
    int a = c.abits();
    boolean quantAct = !QuantRange.isFloat(a);
    this.quant1 = quantAct ? child("quant1", new ActivationQuantizer(a, true, c.useOffset(), 1)) : null;
    this.fc1 = child("fc1", new QuantLinear(c.embedDim(), c.mlpHidden(), true, c.wbits(), 1, GroupAxis.OUT));
    // After GELU the values are >= -0.17: unsigned with a learned offset fits them best.
    this.quant2 = quantAct ? child("quant2", new ActivationQuantizer(a, false, true, 1)) : null;
    this.fc2 = child("fc2", new QuantLinear(c.mlpHidden(), c.embedDim(), true, c.wbits(), 1, GroupAxis.OUT));
  }

  @Override
  protected void initializeOwn(NDManager manager, InitRandom random) {}

  /** [B, N, C] to [B, N, C]. */
  public NDArray forward(NDArray x, ForwardContext ctx) {
    NDArray h = Activation.gelu(fc1.forward(Attention.quantize(quant1, x, ctx), ctx));
    return fc2.forward(Attention.quantize(quant2, h, ctx), ctx);
  }
}
