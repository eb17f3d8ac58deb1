package dev.vvtq.engine.kernels;

/** A right-hand operand {@code W[rows][cols]} laid out by and for one {@link Kernels} implementation. */
public interface PreparedMatrix {
  /** Number of rows (output columns of the product) currently held. */
  int rows();

  /** Number of columns (the reduction dimension) currently held. */
  int cols();

  /** Bits of the signed values held: every value lies in {@code [-2^(bits-1), 2^(bits-1) - 1]}. */
  int bits();

  /** Bytes of memory this matrix keeps alive. */
  long bytesHeld();
}
