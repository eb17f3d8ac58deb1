package dev.vvtq.engine.kernels;

/** A right-hand operand of at most 8-bit values for {@link Kernels#int8Gemm}. */
public interface Int8Matrix extends PreparedMatrix {}
