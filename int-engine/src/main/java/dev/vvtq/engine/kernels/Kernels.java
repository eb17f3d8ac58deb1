package dev.vvtq.engine.kernels;

/**
 * The compute primitives of the integer engine, each specified as a plain data-parallel loop so that
 * another backend (TornadoVM, a GPU) can implement it. Every implementation must return bit-identical
 * integer results from the two products; float results may differ in the last bits.
 *
 * <p>Conventions: matrices are row-major in flat arrays, addressed as {@code array[off + row * ld +
 * col]}. An "operand of b bits" holds integers in {@code [-2^(b-1), 2^(b-1) - 1]}: unsigned
 * quantizers shift their values down by {@code 2^(b-1)} (see {@link QuantizeArgs#shift()}) and the
 * dequantization adds {@code shift * rowsum(W)} back.
 */
public interface Kernels {

  /** A short name for logs and benchmark output. */
  String name();

  /**
   * Frees what the implementation holds outside the Java heap (native weights, streams); called once,
   * after the last product. Heap-only implementations hold nothing to free.
   */
  default void close() {}

  // ---- right-hand operands -------------------------------------------------------------------

  /**
   * Prepares a weight matrix {@code W[n][k]} (row-major {@code rows x cols}, signed values of at most
   * 4 bits) as the right operand of {@link #lowBitGemm}. Done once, at model load.
   */
  LowBitMatrix prepareLowBit(byte[] w, int rows, int cols, int bits);

  /** An empty right operand of {@link #lowBitGemm} for per-call data (k and v), filled by {@link #packLowBit}. */
  LowBitMatrix newLowBitOperand(int maxRows, int maxCols);

  /**
   * Fills {@code dst} with {@code W[n][k] = src[off + n * rowStride + k * colStride]} for {@code n <
   * rows, k < cols}: integers of at most {@code bits} (at most 4) signed bits held as doubles, as
   * {@link #quantize} writes them. Per-call data is not range-checked.
   */
  void packLowBit(double[] src, int off, int rowStride, int colStride, int rows, int cols, int bits, LowBitMatrix dst);

  /** Prepares a weight matrix of signed values of at most 8 bits as the right operand of {@link #int8Gemm}. */
  Int8Matrix prepareInt8(byte[] w, int rows, int cols, int bits);

  /** An empty right operand of {@link #int8Gemm} for per-call data, filled by {@link #packInt8}. */
  Int8Matrix newInt8Operand(int maxRows, int maxCols);

  /** As {@link #packLowBit}, for integers of at most 8 bits. */
  void packInt8(double[] src, int off, int rowStride, int colStride, int rows, int cols, int bits, Int8Matrix dst);

  /** Per-thread scratch memory for the products, for right operands of at most {@code maxK} columns. */
  KernelScratch newScratch(int maxK);

  // ---- integer products ----------------------------------------------------------------------

  /**
   * {@code c[cOff + m*ldc + n] = sum over k in [k0, k1) of a[aOff + m*lda + k] * W[n][k]}, for {@code
   * m < rows}, {@code n < w.rows()}, exactly. {@code a} holds integer operands of {@code aBits} bits
   * (at most 8) stored as doubles; {@code W} holds at most 4-bit values.
   */
  void lowBitGemm(double[] a, int aOff, int lda, int aBits, int rows, LowBitMatrix w, int k0, int k1,
      int[] c, int cOff, int ldc, KernelScratch scratch);

  /** As {@link #lowBitGemm} with operands of at most 8 bits and an {@link Int8Matrix}. */
  void int8Gemm(double[] a, int aOff, int lda, int aBits, int rows, Int8Matrix w, int k0, int k1,
      int[] c, int cOff, int ldc, KernelScratch scratch);

  // ---- float parts ---------------------------------------------------------------------------
  //
  // Each "...ThenQuantize" kernel gives exactly the integers of the plain kernel's float result passed
  // through quantize: fused, the float intermediate never goes to memory.

  /**
   * Activation quantization: {@code out[outOff + r*ldo + j] = rint(clamp((x[xOff + r*ldx + j] -
   * offset) * inverseStep[qCol + j], qmin, qmax)) - shift}, round half to even, for {@code r < rows,
   * j < cols}, the integers stored as doubles (the operands of both products).
   */
  void quantize(float[] x, int xOff, int ldx, int rows, int cols, QuantizeArgs q, int qCol,
      double[] out, int outOff, int ldo);

  /**
   * Dequantization epilogue: {@code y = scale[j] * (acc[accOff + r*ldAcc + j] + shiftRowSum[j]) +
   * bias[j]}, stored to {@code out[outOff + r*ldo + j]}, or added to it when {@code accumulate}.
   * {@code shiftRowSum} and {@code bias} may be null (zero).
   */
  void dequantize(int[] acc, int accOff, int ldAcc, int rows, int cols, float[] scale, int[] shiftRowSum,
      float[] bias, float[] out, int outOff, int ldo, boolean accumulate);

  /** {@link #dequantize} with the vectors read from index {@code vecOff}, then {@link #quantize}. */
  void dequantizeThenQuantize(int[] acc, int accOff, int ldAcc, int rows, int cols, float[] scale, int[] shiftRowSum,
      float[] bias, int vecOff, QuantizeArgs q, int qCol, double[] out, int outOff, int ldo);

  /** LayerNorm over each row of {@code cols} values: {@code (x - mean) / sqrt(var + eps) * gamma + beta}. */
  void layerNorm(float[] x, int xOff, int ldx, int rows, int cols, float[] gamma, float[] beta, float eps,
      float[] out, int outOff, int ldo, KernelScratch scratch);

  /** {@link #layerNorm} then {@link #quantize}. */
  void layerNormThenQuantize(float[] x, int xOff, int ldx, int rows, int cols, float[] gamma, float[] beta, float eps,
      QuantizeArgs q, int qCol, double[] out, int outOff, int ldo, KernelScratch scratch);

  /** Row-wise softmax of {@code scale * s[sOff + r*lds + j]} over {@code j < cols} ({@code scale > 0}). */
  void softmax(int[] s, int sOff, int lds, int rows, int cols, float scale, float[] out, int outOff, int ldo);

  /** {@link #softmax} then {@link #quantize} (rows of at most maxK columns). */
  void softmaxThenQuantize(int[] s, int sOff, int lds, int rows, int cols, float scale, QuantizeArgs q,
      double[] out, int outOff, int ldo, KernelScratch scratch);

  /** In-place GELU, exact erf form: {@code x * 0.5 * (1 + erf(x / sqrt(2)))}; rows of at most maxK columns. */
  void gelu(float[] x, int off, int ld, int rows, int cols, KernelScratch scratch);

  /** {@link #gelu} (leaving {@code x} unchanged) then {@link #quantize}. */
  void geluThenQuantize(float[] x, int off, int ld, int rows, int cols, QuantizeArgs q, int qCol,
      double[] out, int outOff, int ldo, KernelScratch scratch);
}
