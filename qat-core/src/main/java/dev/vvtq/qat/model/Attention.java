package dev.vvtq.qat.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.vvtq.qat.nn.ForwardContext;
import dev.vvtq.qat.nn.InitRandom;
import dev.vvtq.qat.nn.Layer;
import dev.vvtq.qat.nn.TorchArrays;
import dev.vvtq.qat.quant.ActivationQuantizer;
import dev.vvtq.qat.quant.GroupAxis;
import dev.vvtq.qat.quant.QuantLinear;
import dev.vvtq.qat.quant.QuantRange;

/**
 * Multi-head self-attention with VVTQ's module-dependent quantization: separate q/k/v projections
 * (so each gets its own step), quantized q, k, v, attention probabilities (unsigned) and output.
 */
public final class Attention extends Layer {
  private final int heads;
  private final boolean headWise;
  private final int headDim;
  private final float scale;
  private final ActivationQuantizer quantInput;
  private final QuantLinear projQ;
  private final QuantLinear projK;
  private final QuantLinear projV;
  private final ActivationQuantizer quantQ;
  private final ActivationQuantizer quantK;
  private final ActivationQuantizer quantV;
  private final ActivationQuantizer quantAttn;
  private final ActivationQuantizer quantOutput;
  private final QuantLinear proj;

  public Attention(DeitConfig c) {
    this.heads = c.numHeads();
    this.headWise = c.headWise();
    this.headDim = c.headDim();
    this.scale = (float) Math.pow(headDim, -0.5);
    int dim = c.embedDim();
    int a = c.abits();
    int groups = c.headWise() ? heads : 1;
    boolean quantAct = !QuantRange.isFloat(a);
    this.quantInput = quantAct ? child("quant_input", new ActivationQuantizer(a, true, c.useOffset(), 1)) : null;
    this.projQ = child("proj_q", new QuantLinear(dim, dim, true, c.wbits(), groups, GroupAxis.OUT));
    this.projK = child("proj_k", new QuantLinear(dim, dim, true, c.wbits(), groups, GroupAxis.OUT));
    this.projV = child("proj_v", new QuantLinear(dim, dim, true, c.wbits(), groups, GroupAxis.OUT));
    // --use-offset puts offsets on q, k, v and the output as the reference's DeiT_quant.py does; its
    // head-wise quantizer declares an offset but never applies it, so head-wise ones have none.
    boolean offset = c.useOffset() && !c.headWise();
    this.quantQ = quantAct ? child("quant_q", new ActivationQuantizer(a, true, offset, groups)) : null;
    this.quantK = quantAct ? child("quant_k", new ActivationQuantizer(a, true, offset, groups)) : null;
    this.quantV = quantAct ? child("quant_v", new ActivationQuantizer(a, true, offset, groups)) : null;
    this.quantAttn = quantAct ? child("quant_attn", new ActivationQuantizer(a, false, false, groups)) : null;
    this.quantOutput = quantAct ? child("quant_output", new ActivationQuantizer(a, true, offset, groups)) : null;
    this.proj = child("proj", new QuantLinear(dim, dim, true, c.wbits(), groups, GroupAxis.IN));
  }

  @Override
  protected void initializeOwn(NDManager manager, InitRandom random) {}

  /** [B, N, C] to [B, N, C]. */
  public NDArray forward(NDArray x, ForwardContext ctx) {
    Shape s = x.getShape();
    long b = s.get(0);
    long n = s.get(1);
    long c = s.get(2);
    NDArray in = quantize(quantInput, x, ctx);
    NDArray q = projQ.forward(in, ctx);
    NDArray k = projK.forward(in, ctx);
    NDArray v = projV.forward(in, ctx);
    if (!headWise) {
      // A per-tensor quantizer gives the same result in either layout; the token-major one is
      // contiguous and therefore cheaper for the ~10 elementwise passes of fake quantization.
      q = quantize(quantQ, q, ctx);
      k = quantize(quantK, k, ctx);
      v = quantize(quantV, v, ctx);
    }
    q = splitHeads(q, b, n);
    k = splitHeads(k, b, n);
    v = splitHeads(v, b, n);
    if (headWise) {
      q = quantize(quantQ, q, ctx);
      k = quantize(quantK, k, ctx);
      v = quantize(quantV, v, ctx);
    }
    NDArray attn = q.matMul(k.transpose(0, 1, 3, 2)).mul(TorchArrays.scalar(ctx.manager(), scale)).softmax(-1);
    attn = quantize(quantAttn, attn, ctx);
    NDArray out = attn.matMul(v);
    if (headWise) {
      out = quantize(quantOutput, out, ctx).transpose(0, 2, 1, 3).reshape(b, n, c);
    } else {
      out = quantize(quantOutput, out.transpose(0, 2, 1, 3).reshape(b, n, c), ctx);
    }
    return proj.forward(out, ctx);
  }

  private NDArray splitHeads(NDArray x, long b, long n) {
    return x.reshape(b, n, heads, headDim).transpose(0, 2, 1, 3);
  }

  static NDArray quantize(ActivationQuantizer q, NDArray x, ForwardContext ctx) {
    return q == null ? x : q.forward(x, ctx);
  }
}
