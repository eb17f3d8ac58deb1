package dev.vvtq.qat.quant;

/** The integer range of an n-bit quantizer: signed [-2^(n-1), 2^(n-1)-1] or unsigned [0, 2^n-1]. */
public record QuantRange(int bits, boolean signed) {

  public QuantRange {
    if (bits < 2 || bits > 16) {
      throw new IllegalArgumentException("bit width must be in [2, 16], got " + bits);
    }
  }

  /** Lowest integer level (Qn). */
  public int qn() {
    return signed ? -(1 << (bits - 1)) : 0;
  }

  /** Highest integer level (Qp). */
  public int qp() {
    return signed ? (1 << (bits - 1)) - 1 : (1 << bits) - 1;
  }

  /** The signed Qp, 2^(n-1)-1, that VVTQ's lazy activation init uses even for unsigned ranges. */
  public int signedQp() {
    return (1 << (bits - 1)) - 1;
  }

  /** Whether a bit setting means "not quantized" (-1, 0 or 32 and above, as in the reference CLI). */
  public static boolean isFloat(int bits) {
    return bits <= 0 || bits >= 32;
  }
}
