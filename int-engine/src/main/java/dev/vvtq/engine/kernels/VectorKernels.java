package dev.vvtq.engine.kernels;

import jdk.incubator.vector.DoubleVector;

/**
 * {@link Kernels} on the Java Vector API (preferred species: 512-bit on AVX-512 machines). Integer
 * results are identical to {@link ScalarKernels}; float results agree to a few ulp.
 */
public final class VectorKernels implements Kernels {

  @Override
  public String name() {
    return "vector-" + DoubleVector.SPECIES_PREFERRED.vectorBitSize();
  }

  private static VectorScratch scratch(KernelScratch s) {
    if (!(s instanceof VectorScratch vs)) {
      throw new IllegalArgumentException("scratch of another kernel implementation: " + s);
    }
    return vs;
  }

  private static VectorLowBitMatrix lowBit(LowBitMatrix m) {
    if (!(m instanceof VectorLowBitMatrix v)) {
      throw new IllegalArgumentException("operand prepared by another kernel implementation: " + m);
    }
    return v;
  }

  private static VectorInt8Matrix int8(Int8Matrix m) {
    if (!(m instanceof VectorInt8Matrix v)) {
      throw new IllegalArgumentException("operand prepared by another kernel implementation: " + m);
    }
    return v;
  }

  @Override
  public LowBitMatrix prepareLowBit(byte[] w, int rows, int cols, int bits) {
    ScalarKernels.checkBits(bits, 4);
    // Weights stay 4-bit and are widened panel by panel into L2 during each product: measured faster
    // than widening them once at load (5x the bytes, streamed from memory on every pass).
    return VectorLowBitGemm.prepare(w, rows, cols, bits);
  }

  @Override
  public LowBitMatrix newLowBitOperand(int maxRows, int maxCols) {
    return VectorLowBitMatrix.wide(maxRows, maxCols);
  }

  @Override
  public void packLowBit(double[] src, int off, int rowStride, int colStride, int rows, int cols, int bits, LowBitMatrix dst) {
    ScalarKernels.checkBits(bits, 4);
    VectorLowBitGemm.pack(src, off, rowStride, colStride, rows, cols, bits, lowBit(dst));
  }

  @Override
  public Int8Matrix prepareInt8(byte[] w, int rows, int cols, int bits) {
    ScalarKernels.checkBits(bits, 8);
    return VectorInt8Gemm.prepare(w, rows, cols, bits);
  }

  @Override
  public Int8Matrix newInt8Operand(int maxRows, int maxCols) {
    return VectorInt8Matrix.wide(maxRows, maxCols);
  }

  @Override
  public void packInt8(double[] src, int off, int rowStride, int colStride, int rows, int cols, int bits, Int8Matrix dst) {
    ScalarKernels.checkBits(bits, 8);
    VectorInt8Gemm.pack(src, off, rowStride, colStride, rows, cols, bits, int8(dst));
  }

  @Override
  public KernelScratch newScratch(int maxK) {
    return new VectorScratch(maxK);
  }

  @Override
  public void lowBitGemm(double[] a, int aOff, int lda, int aBits, int rows, LowBitMatrix w, int k0, int k1,
      int[] c, int cOff, int ldc, KernelScratch scratch) {
    VectorLowBitGemm.gemm(a, aOff, lda, aBits, rows, lowBit(w), k0, k1, c, cOff, ldc, scratch(scratch));
  }

  @Override
  public void int8Gemm(double[] a, int aOff, int lda, int aBits, int rows, Int8Matrix w, int k0, int k1,
      int[] c, int cOff, int ldc, KernelScratch scratch) {
    VectorInt8Gemm.gemm(a, aOff, lda, aBits, rows, int8(w), k0, k1, c, cOff, ldc, scratch(scratch));
  }

  @Override
  public void quantize(float[] x, int xOff, int ldx, int rows, int cols, QuantizeArgs q, int qCol,
      double[] out, int outOff, int ldo) {
    VectorFloatOps.quantize(x, xOff, ldx, rows, cols, q, qCol, out, outOff, ldo);
  }

  @Override
  public void dequantize(int[] acc, int accOff, int ldAcc, int rows, int cols, float[] scale, int[] shiftRowSum,
      float[] bias, float[] out, int outOff, int ldo, boolean accumulate) {
    VectorFloatOps.dequantize(acc, accOff, ldAcc, rows, cols, scale, shiftRowSum, bias, out, outOff, ldo, accumulate);
  }

  @Override
  public void dequantizeThenQuantize(int[] acc, int accOff, int ldAcc, int rows, int cols, float[] scale,
      int[] shiftRowSum, float[] bias, int vecOff, QuantizeArgs q, int qCol, double[] out, int outOff, int ldo) {
    VectorFloatOps.dequantizeThenQuantize(acc, accOff, ldAcc, rows, cols, scale, shiftRowSum, bias, vecOff, q, qCol,
        out, outOff, ldo);
  }

  @Override
  public void layerNorm(float[] x, int xOff, int ldx, int rows, int cols, float[] gamma, float[] beta, float eps,
      float[] out, int outOff, int ldo, KernelScratch scratch) {
    VectorFloatOps.layerNorm(x, xOff, ldx, rows, cols, gamma, beta, eps, out, outOff, ldo, scratch(scratch).stats,
        scratch(scratch).lanes);
  }

  @Override
  public void layerNormThenQuantize(float[] x, int xOff, int ldx, int rows, int cols, float[] gamma, float[] beta,
      float eps, QuantizeArgs q, int qCol, double[] out, int outOff, int ldo, KernelScratch scratch) {
    VectorFloatOps.layerNormThenQuantize(x, xOff, ldx, rows, cols, gamma, beta, eps, q, qCol, out, outOff, ldo,
        scratch(scratch).stats, scratch(scratch).lanes);
  }

  @Override
  public void softmax(int[] s, int sOff, int lds, int rows, int cols, float scale, float[] out, int outOff, int ldo) {
    VectorFloatOps.softmax(s, sOff, lds, rows, cols, scale, out, outOff, ldo);
  }

  @Override
  public void softmaxThenQuantize(int[] s, int sOff, int lds, int rows, int cols, float scale, QuantizeArgs q,
      double[] out, int outOff, int ldo, KernelScratch scratch) {
    VectorFloatOps.softmaxThenQuantize(s, sOff, lds, rows, cols, scale, q, out, outOff, ldo, scratch(scratch).row,
        scratch(scratch).tail, scratch(scratch).lanes);
  }

  @Override
  public void gelu(float[] x, int off, int ld, int rows, int cols, KernelScratch scratch) {
    VectorFloatOps.gelu(x, off, ld, rows, cols, scratch(scratch).row);
  }

  @Override
  public void geluThenQuantize(float[] x, int off, int ld, int rows, int cols, QuantizeArgs q, int qCol,
      double[] out, int outOff, int ldo, KernelScratch scratch) {
    VectorFloatOps.geluThenQuantize(x, off, ld, rows, cols, scratch(scratch).row, q, qCol, out, outOff, ldo);
  }
}
