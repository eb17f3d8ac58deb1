package dev.vvtq.engine.kernels;

/**
 * Split points that keep integer sums exact when the products hold them in floating point lanes.
 *
 * <p>A reduction over k of {@code a_k * w_k}, with {@code |a| <= 2^(aBits-1)} and {@code |w| <=
 * 2^(wBits-1)}, grows by at most {@code maxProduct = 2^(aBits-1) * 2^(wBits-1)} per step.
 */
public final class ExactSums {
  private ExactSums() {}

  /** Largest magnitude of a product of two signed operands of the given widths. */
  public static int maxProduct(int aBits, int wBits) {
    return (1 << (aBits - 1)) * (1 << (wBits - 1));
  }

  /**
   * Steps per chunk for three sums packed in one double lane 17 bits apart ({@code s0 + 2^17 s1 + 2^34
   * s2}): each sum must stay within {@code (-2^16, 2^16)} for the fields to decode uniquely, which also
   * keeps the whole lane below 2^51, exact in a double. 1023 for 4-bit x 4-bit.
   */
  public static int tripleFieldChunk(int aBits, int wBits) {
    return Math.max(1, ((1 << 16) - 1) / maxProduct(aBits, wBits));
  }

  /**
   * Steps per chunk for a sum held in a float lane: every partial sum must stay at most 2^24 in
   * magnitude, below which all integers are exact floats. 1024 for 8-bit x 8-bit.
   */
  public static int floatChunk(int aBits, int wBits) {
    return Math.max(1, (1 << 24) / maxProduct(aBits, wBits));
  }
}
