package dev.vvtq.engine.kernels;

/**
 * One activation quantizer in the form the kernels apply it: {@code rint(clamp((x - offset) *
 * inverseStep[col], qmin, qmax)) - shift}.
 *
 * @param inverseStep {@code 1 / alpha} per column of the tensor it quantizes (per-head steps repeat
 *     over the head's columns)
 * @param offset {@code beta}, 0 without offset
 * @param qmin lowest integer ({@code -2^(b-1)} signed, 0 unsigned)
 * @param qmax highest integer ({@code 2^(b-1)-1} signed, {@code 2^b - 1} unsigned)
 * @param shift subtracted after rounding so that the stored operand is signed: 0 signed, {@code
 *     2^(b-1)} unsigned
 * @param bits the operand width b
 */
public record QuantizeArgs(float[] inverseStep, float offset, int qmin, int qmax, int shift, int bits) {

  public QuantizeArgs {
    if (bits < 2 || bits > 8) {
      throw new IllegalArgumentException("quantizer bits must be in [2, 8], got " + bits);
    }
    if (qmin - shift < -(1 << (bits - 1)) || qmax - shift > (1 << (bits - 1)) - 1) {
      throw new IllegalArgumentException(
          "range [" + qmin + ", " + qmax + "] shifted by " + shift + " is not a " + bits + "-bit signed operand");
    }
  }

  /** The quantizer of a {@code bits}-wide signed or unsigned integer with per-column steps. */
  public static QuantizeArgs of(int bits, boolean signed, float[] inverseStep, float offset) {
    int half = 1 << (bits - 1);
    return signed
        ? new QuantizeArgs(inverseStep, offset, -half, half - 1, 0, bits)
        : new QuantizeArgs(inverseStep, offset, 0, 2 * half - 1, half, bits);
  }
}
