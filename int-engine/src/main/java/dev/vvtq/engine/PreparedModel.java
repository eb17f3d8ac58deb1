package dev.vvtq.engine;

import dev.vvtq.engine.kernels.Kernels;
import dev.vvtq.engine.kernels.QuantizeArgs;
import dev.vvtq.engine.model.ExportedModel;
import dev.vvtq.engine.model.LinearWeights;
import dev.vvtq.engine.model.ModelConfig;
import dev.vvtq.engine.model.ModelLayout;
import dev.vvtq.engine.model.QuantizerParams;
import java.util.List;

/**
 * An exported model turned into what the kernels consume, once, at load: weights prepared by the
 * {@link Kernels} implementation (4-bit weights stay 4 bits), per-channel scales, shifted row sums and
 * folded biases, reciprocal steps per column. Immutable and shared by every concurrent forward pass.
 */
final class PreparedModel {
  final ModelConfig config;
  final List<String> classNames;
  final float eps;
  final LinearPlan patchEmbed;
  final float[] clsToken;
  final float[] posEmbed;
  final BlockPlan[] blocks;
  final float[] normWeight;
  final float[] normBias;
  final LinearPlan head;
  /** Whether q k^T and attn v run on {@link Kernels#lowBitGemm} (activations of at most 4 bits). */
  final boolean attentionLowBit;
  /** Operand bits of q, k and v. */
  final int attentionBits;

  PreparedModel(ExportedModel m, Kernels k) {
    this.config = m.config();
    this.classNames = m.classNames();
    ModelConfig c = config;
    this.eps = (float) c.normEps();
    int d = c.embedDim();
    int hd = c.headDim();
    this.attentionLowBit = c.abits() <= 4;
    this.attentionBits = c.abits();
    LinearWeights pe = m.linear(ModelLayout.PATCH_EMBED);
    this.patchEmbed = LinearPlan.of(k, pe.weights(), d, c.patchDim(), pe.spec().bits(), pe::step, pe.bias(),
        m.quantizer(ModelLayout.PATCH_QUANT), 1);
    this.clsToken = m.floats("cls_token");
    this.posEmbed = m.floats("pos_embed");
    this.blocks = new BlockPlan[c.depth()];
    for (int i = 0; i < c.depth(); i++) {
      blocks[i] = block(m, k, ModelLayout.block(i));
    }
    this.normWeight = m.floats("norm.weight");
    this.normBias = m.floats("norm.bias");
    LinearWeights h = m.linear(ModelLayout.HEAD);
    this.head = LinearPlan.of(k, h.weights(), c.numClasses(), d, h.spec().bits(), h::step, h.bias(),
        m.quantizer(ModelLayout.HEAD_QUANT), 1);
    if (hd < 1) {
      throw new IllegalStateException("head dimension " + hd);
    }
  }

  private BlockPlan block(ExportedModel m, Kernels k, String b) {
    ModelConfig c = config;
    int d = c.embedDim();
    int heads = c.numHeads();
    int tokens = c.tokens();
    LinearWeights q = m.linear(b + ModelLayout.PROJ_Q);
    LinearWeights kw = m.linear(b + ModelLayout.PROJ_K);
    LinearWeights v = m.linear(b + ModelLayout.PROJ_V);
    byte[] w = new byte[3 * d * d];
    System.arraycopy(q.weights(), 0, w, 0, d * d);
    System.arraycopy(kw.weights(), 0, w, d * d, d * d);
    System.arraycopy(v.weights(), 0, w, 2 * d * d, d * d);
    float[] bias = new float[3 * d];
    System.arraycopy(q.bias(), 0, bias, 0, d);
    System.arraycopy(kw.bias(), 0, bias, d, d);
    System.arraycopy(v.bias(), 0, bias, 2 * d, d);
    LinearWeights[] parts = {q, kw, v};
    LinearPlan qkv = LinearPlan.of(k, w, 3 * d, d, c.wbits(), (o, col) -> parts[o / d].step(o % d, col), bias,
        m.quantizer(b + ModelLayout.QUANT_INPUT), 1);
    LinearWeights p = m.linear(b + ModelLayout.PROJ);
    LinearPlan proj = LinearPlan.of(k, p.weights(), d, d, c.wbits(), p::step, p.bias(),
        m.quantizer(b + ModelLayout.QUANT_OUTPUT), c.headGroups());
    LinearWeights f1 = m.linear(b + ModelLayout.FC1);
    LinearPlan fc1 = LinearPlan.of(k, f1.weights(), c.mlpDim(), d, c.wbits(), f1::step, f1.bias(),
        m.quantizer(b + ModelLayout.QUANT1), 1);
    LinearWeights f2 = m.linear(b + ModelLayout.FC2);
    LinearPlan fc2 = LinearPlan.of(k, f2.weights(), d, c.mlpDim(), c.wbits(), f2::step, f2.bias(),
        m.quantizer(b + ModelLayout.QUANT2), 1);

    QuantizerParams qq = m.quantizer(b + ModelLayout.QUANT_Q);
    QuantizerParams qk = m.quantizer(b + ModelLayout.QUANT_K);
    QuantizerParams qv = m.quantizer(b + ModelLayout.QUANT_V);
    QuantizerParams qa = m.quantizer(b + ModelLayout.QUANT_ATTN);
    // q, k and v share bits, signedness and (no) offset: one quantizer with per-column steps
    float[] qkvInv = new float[3 * d];
    System.arraycopy(LinearPlan.inverseSteps(qq.steps(), d), 0, qkvInv, 0, d);
    System.arraycopy(LinearPlan.inverseSteps(qk.steps(), d), 0, qkvInv, d, d);
    System.arraycopy(LinearPlan.inverseSteps(qv.steps(), d), 0, qkvInv, 2 * d, d);
    QuantizeArgs quantQkv = QuantizeArgs.of(qq.spec().bits(), true, qkvInv, 0f);
    QuantizeArgs[] quantAttn = new QuantizeArgs[heads];
    float[] scoreScale = new float[heads];
    float[][] outputScale = new float[heads][c.headDim()];
    int bits = qa.spec().bits();
    for (int h = 0; h < heads; h++) {
      float[] inv = new float[tokens];
      java.util.Arrays.fill(inv, 1f / groupStep(qa, h, heads));
      // Probabilities are unsigned. For the low-bit product they stay unshifted, one bit wider, which
      // keeps sums within the exact range for up to 511 tokens per chunk and needs no column sums of v;
      // the 8-bit product takes them shifted to signed (bits + 1 would exceed 8) and subtracts.
      quantAttn[h] = attentionLowBit
          ? new QuantizeArgs(inv, 0f, 0, (1 << bits) - 1, 0, bits + 1)
          : new QuantizeArgs(inv, 0f, 0, (1 << bits) - 1, 1 << (bits - 1), bits);
      scoreScale[h] = (float) ((double) groupStep(qq, h, heads) * groupStep(qk, h, heads) / Math.sqrt(c.headDim()));
      java.util.Arrays.fill(outputScale[h], groupStep(qa, h, heads) * groupStep(qv, h, heads));
    }
    return new BlockPlan(qkv, proj, fc1, fc2, m.floats(b + "norm1.weight"), m.floats(b + "norm1.bias"),
        m.floats(b + "norm2.weight"), m.floats(b + "norm2.bias"), quantQkv, quantAttn, scoreScale,
        outputScale);
  }

  private static float groupStep(QuantizerParams q, int head, int heads) {
    return q.steps().length == 1 ? q.steps()[0] : q.steps()[head * q.steps().length / heads];
  }

  /** Bytes of everything the prepared model holds (weights, vectors, float parameters). */
  long bytesHeld() {
    long b = patchEmbed.bytesHeld() + head.bytesHeld() + 4L * (clsToken.length + posEmbed.length + 2L * normWeight.length);
    for (BlockPlan bp : blocks) {
      b += bp.bytesHeld();
    }
    return b;
  }

  /** Bytes of the prepared weight matrices alone. */
  long weightMatrixBytes() {
    long b = patchEmbed.weightBytes + head.weightBytes;
    for (BlockPlan bp : blocks) {
      b += bp.qkv.weightBytes + bp.proj.weightBytes + bp.fc1.weightBytes + bp.fc2.weightBytes;
    }
    return b;
  }
}
