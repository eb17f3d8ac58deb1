package dev.vvtq.engine.model;

/**
 * One entry of the {@code linears} metadata: a weight-quantized layer's width, shape and step groups
 * ({@code group_axis} "out": groups of output rows; "in": groups of input columns).
 */
public record LinearSpec(int bits, int in, int out, int groups, String groupAxis) {

  /** Whether the weights travel packed two per byte (at most 4 bits). */
  public boolean packed() {
    return bits <= 4;
  }
}
