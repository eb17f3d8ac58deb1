package dev.vvtq.engine;

import dev.vvtq.engine.kernels.QuantizeArgs;

/** One transformer block prepared for the kernels. */
final class BlockPlan {
  /** proj_q, proj_k, proj_v fused into one product of 3D outputs (one read of the input). */
  final LinearPlan qkv;
  final LinearPlan proj;
  final LinearPlan fc1;
  final LinearPlan fc2;
  final float[] norm1Weight;
  final float[] norm1Bias;
  final float[] norm2Weight;
  final float[] norm2Bias;
  /** quant_q, quant_k and quant_v as one quantizer over the 3D columns of the fused output. */
  final QuantizeArgs quantQkv;
  /** quant_attn per head, over the token columns of a score row. */
  final QuantizeArgs[] quantAttn;
  /** alpha_q * alpha_k / sqrt(Hd) per head. */
  final float[] scoreScale;
  /** alpha_attn * alpha_v per head, repeated over the head dimension. */
  final float[][] outputScale;

  BlockPlan(LinearPlan qkv, LinearPlan proj, LinearPlan fc1, LinearPlan fc2, float[] norm1Weight, float[] norm1Bias,
      float[] norm2Weight, float[] norm2Bias, QuantizeArgs quantQkv,
      QuantizeArgs[] quantAttn, float[] scoreScale, float[][] outputScale) {
    this.qkv = qkv;
    this.proj = proj;
    this.fc1 = fc1;
    this.fc2 = fc2;
    this.norm1Weight = norm1Weight;
    this.norm1Bias = norm1Bias;
    this.norm2Weight = norm2Weight;
    this.norm2Bias = norm2Bias;
    this.quantQkv = quantQkv;
    this.quantAttn = quantAttn;
    this.scoreScale = scoreScale;
    this.outputScale = outputScale;
  }

  long bytesHeld() {
    long floats = 4L * (norm1Weight.length * 4L + quantQkv.inverseStep().length + scoreScale.length);
    for (QuantizeArgs q : quantAttn) {
      floats += 4L * q.inverseStep().length;
    }
    for (float[] s : outputScale) {
      floats += 4L * s.length;
    }
    return qkv.bytesHeld() + proj.bytesHeld() + fc1.bytesHeld() + fc2.bytesHeld() + floats;
  }
}
