package dev.vvtq.qat.quant;

/** How a head-wise weight quantizer groups a [out, in] weight: by output rows or input columns. */
public enum GroupAxis {
  /** Group g owns output rows [g*out/G, (g+1)*out/G): q, k, v projections. */
  OUT,
  /** Group g owns input columns [g*in/G, (g+1)*in/G): the attention output projection. */
  IN
}
