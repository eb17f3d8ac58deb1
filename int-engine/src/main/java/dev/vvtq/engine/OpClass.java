package dev.vvtq.engine;

/** What the engine's time goes to, as {@link OpProfile} reports it. */
public enum OpClass {
  /** Integer products of the linear layers (patch embedding, q/k/v, proj, fc1, fc2, head). */
  LINEAR,
  /** Integer products of attention (q k^T, attn v) and packing k and v for them. */
  ATTENTION,
  /** Dequantization epilogues into floats: bias and residual adds (proj, fc1, fc2, patch, head). */
  DEQUANTIZE,
  /**
   * Requantization (dequantize then quantize: q, k, v and the attention output) and the patch
   * quantizer. The other quantizers are fused into the operation before them and counted there.
   */
  QUANTIZE,
  /** Softmax with quant_attn. */
  SOFTMAX,
  /** LayerNorm with the quantizer after it. */
  LAYERNORM,
  /** GELU with quant2. */
  GELU,
  /** Patch extraction, class token and position embedding, copies. */
  OTHER;

  /** How many classes there are, for the engine's counters ({@code values()} copies the array each call). */
  static final int COUNT = values().length;
}
