package dev.vvtq.engine;

/** What the engine's time goes to, as {@link OpProfile} reports it. */
public enum OpClass {
  /** Integer products of the linear layers (patch embedding, q/k/v, proj, fc1, fc2, head). */
  LINEAR,
  /** Integer products of attention (q k^T, attn v) and packing k and v for them. */
  ATTENTION,
  /** Dequantization epilogues: integer sums to floats, bias, residual adds. */
  DEQUANTIZE,
  /** Activation quantization (all quantizers). */
  QUANTIZE,
  SOFTMAX,
  LAYERNORM,
  GELU,
  /** Patch extraction, class token and position embedding, copies. */
  OTHER
}
