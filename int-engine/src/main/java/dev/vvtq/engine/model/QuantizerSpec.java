package dev.vvtq.engine.model;

/**
 * One entry of the {@code quantizers} metadata: an activation quantizer's width, signedness, offset
 * and number of step groups.
 */
public record QuantizerSpec(int bits, boolean signed, boolean offset, int groups) {

  /** Lowest integer of the range: {@code -2^(b-1)} signed, 0 unsigned. */
  public int qmin() {
    return signed ? -(1 << (bits - 1)) : 0;
  }

  /** Highest integer of the range: {@code 2^(b-1) - 1} signed, {@code 2^b - 1} unsigned. */
  public int qmax() {
    return signed ? (1 << (bits - 1)) - 1 : (1 << bits) - 1;
  }
}
