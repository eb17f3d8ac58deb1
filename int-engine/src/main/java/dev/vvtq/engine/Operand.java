package dev.vvtq.engine;

import dev.vvtq.engine.kernels.Kernels;
import dev.vvtq.engine.kernels.QuantizeArgs;

/**
 * Quantized activations in the type their product takes: doubles for {@link Kernels#lowBitGemm},
 * floats for {@link Kernels#int8Gemm}. Exactly one of the two arrays is set.
 */
final class Operand {
  final double[] d;
  final float[] f;

  private Operand(double[] d, float[] f) {
    this.d = d;
    this.f = f;
  }

  static Operand of(boolean lowBit, int size) {
    return lowBit ? new Operand(new double[size], null) : new Operand(null, new float[size]);
  }

  /** A float operand over an existing array (the patch matrix reuses a work buffer). */
  static Operand over(float[] f) {
    return new Operand(null, f);
  }

  boolean lowBit() {
    return d != null;
  }

  long bytes() {
    return d != null ? d.length * 8L : f.length * 4L;
  }

  void quantize(Kernels k, float[] x, int xOff, int ldx, int rows, int cols, QuantizeArgs q, int qCol, int off, int ld) {
    if (d != null) {
      k.quantize(x, xOff, ldx, rows, cols, q, qCol, d, off, ld);
    } else {
      k.quantize(x, xOff, ldx, rows, cols, q, qCol, f, off, ld);
    }
  }
}
