package dev.vvtq.engine.kernels;

/** A right-hand operand of at most 4-bit values for {@link Kernels#lowBitGemm}. */
public interface LowBitMatrix extends PreparedMatrix {}
