package dev.vvtq.engine.kernels;

/**
 * The reference implementation of {@link Kernels}: plain loops, int arithmetic for the products. It
 * defines the results every other implementation must reproduce and is the template for new backends;
 * it is not tuned (some kernels allocate a row buffer per call).
 */
public final class ScalarKernels implements Kernels {

  /** A matrix of small integers held one per byte, row-major. */
  static final class ByteMatrix implements LowBitMatrix, Int8Matrix {
    final byte[] values;
    int rows;
    int cols;
    int bits;

    ByteMatrix(int capacity) {
      values = new byte[capacity];
    }

    @Override
    public int rows() {
      return rows;
    }

    @Override
    public int cols() {
      return cols;
    }

    @Override
    public int bits() {
      return bits;
    }

    @Override
    public long bytesHeld() {
      return values.length;
    }
  }

  private static final KernelScratch NO_SCRATCH = () -> 0;

  @Override
  public String name() {
    return "scalar";
  }

  private static ByteMatrix prepare(byte[] w, int rows, int cols, int bits, int maxBits) {
    checkBits(bits, maxBits);
    if (w.length < (long) rows * cols) {
      throw new IllegalArgumentException("weights hold " + w.length + " values, " + rows + "x" + cols + " needed");
    }
    ByteMatrix m = new ByteMatrix(rows * cols);
    pack(w, rows, cols, bits, m);
    return m;
  }

  static void checkBits(int bits, int maxBits) {
    if (bits < 2 || bits > maxBits) {
      throw new IllegalArgumentException("operand bits must be in [2, " + maxBits + "], got " + bits);
    }
  }

  static void checkRange(byte v, int bits, int n, int k) {
    int half = 1 << (bits - 1);
    if (v < -half || v >= half) {
      throw new IllegalArgumentException(
          "value " + v + " at [" + n + ", " + k + "] does not fit " + bits + " signed bits");
    }
  }

  private static void pack(byte[] w, int rows, int cols, int bits, ByteMatrix dst) {
    for (int n = 0; n < rows; n++) {
      for (int k = 0; k < cols; k++) {
        byte v = w[n * cols + k];
        checkRange(v, bits, n, k);
        dst.values[n * cols + k] = v;
      }
    }
    dst.rows = rows;
    dst.cols = cols;
    dst.bits = bits;
  }

  @Override
  public LowBitMatrix prepareLowBit(byte[] w, int rows, int cols, int bits) {
    return prepare(w, rows, cols, bits, 4);
  }

  @Override
  public LowBitMatrix newLowBitOperand(int maxRows, int maxCols) {
    return new ByteMatrix(maxRows * maxCols);
  }

  @Override
  public void packLowBit(double[] src, int off, int rowStride, int colStride, int rows, int cols, int bits, LowBitMatrix dst) {
    checkBits(bits, 4);
    ByteMatrix m = (ByteMatrix) dst;
    checkCapacity(rows, cols, m);
    for (int n = 0; n < rows; n++) {
      for (int k = 0; k < cols; k++) {
        m.values[n * cols + k] = (byte) src[off + n * rowStride + k * colStride];
      }
    }
    m.rows = rows;
    m.cols = cols;
    m.bits = bits;
  }

  private static void checkCapacity(int rows, int cols, ByteMatrix dst) {
    if ((long) rows * cols > dst.values.length) {
      throw new IllegalArgumentException(
          rows + "x" + cols + " does not fit an operand of capacity " + dst.values.length);
    }
  }

  @Override
  public Int8Matrix prepareInt8(byte[] w, int rows, int cols, int bits) {
    return prepare(w, rows, cols, bits, 8);
  }

  @Override
  public Int8Matrix newInt8Operand(int maxRows, int maxCols) {
    return new ByteMatrix(maxRows * maxCols);
  }

  @Override
  public void packInt8(double[] src, int off, int rowStride, int colStride, int rows, int cols, int bits, Int8Matrix dst) {
    checkBits(bits, 8);
    ByteMatrix m = (ByteMatrix) dst;
    checkCapacity(rows, cols, m);
    for (int n = 0; n < rows; n++) {
      for (int k = 0; k < cols; k++) {
        m.values[n * cols + k] = (byte) src[off + n * rowStride + k * colStride];
      }
    }
    m.rows = rows;
    m.cols = cols;
    m.bits = bits;
  }

  @Override
  public KernelScratch newScratch(int maxK) {
    return NO_SCRATCH;
  }

  @Override
  public void lowBitGemm(double[] a, int aOff, int lda, int aBits, int rows, LowBitMatrix w, int k0, int k1,
      int[] c, int cOff, int ldc, KernelScratch scratch) {
    ByteMatrix m = (ByteMatrix) w;
    for (int r = 0; r < rows; r++) {
      for (int n = 0; n < m.rows; n++) {
        int sum = 0;
        for (int k = k0; k < k1; k++) {
          sum += (int) a[aOff + r * lda + k] * m.values[n * m.cols + k];
        }
        c[cOff + r * ldc + n] = sum;
      }
    }
  }

  @Override
  public void int8Gemm(double[] a, int aOff, int lda, int aBits, int rows, Int8Matrix w, int k0, int k1,
      int[] c, int cOff, int ldc, KernelScratch scratch) {
    ByteMatrix m = (ByteMatrix) w;
    for (int r = 0; r < rows; r++) {
      for (int n = 0; n < m.rows; n++) {
        int sum = 0;
        for (int k = k0; k < k1; k++) {
          sum += (int) a[aOff + r * lda + k] * m.values[n * m.cols + k];
        }
        c[cOff + r * ldc + n] = sum;
      }
    }
  }

  private static float quantizeOne(float x, QuantizeArgs q, float inv) {
    float v = (x - q.offset()) * inv;
    v = Math.min(Math.max(v, q.qmin()), q.qmax());
    return FloatMath.roundHalfEven(v) - q.shift();
  }

  @Override
  public void quantize(float[] x, int xOff, int ldx, int rows, int cols, QuantizeArgs q, int qCol,
      double[] out, int outOff, int ldo) {
    for (int r = 0; r < rows; r++) {
      for (int j = 0; j < cols; j++) {
        out[outOff + r * ldo + j] = quantizeOne(x[xOff + r * ldx + j], q, q.inverseStep()[qCol + j]);
      }
    }
  }

  private static float dequantizeOne(int acc, int j, float[] scale, int[] shiftRowSum, float[] bias) {
    int v = acc + (shiftRowSum == null ? 0 : shiftRowSum[j]);
    return Math.fma(scale[j], (float) v, bias == null ? 0f : bias[j]);
  }

  @Override
  public void dequantize(int[] acc, int accOff, int ldAcc, int rows, int cols, float[] scale, int[] shiftRowSum,
      float[] bias, float[] out, int outOff, int ldo, boolean accumulate) {
    for (int r = 0; r < rows; r++) {
      for (int j = 0; j < cols; j++) {
        float y = dequantizeOne(acc[accOff + r * ldAcc + j], j, scale, shiftRowSum, bias);
        int o = outOff + r * ldo + j;
        out[o] = accumulate ? out[o] + y : y;
      }
    }
  }

  @Override
  public void dequantizeThenQuantize(int[] acc, int accOff, int ldAcc, int rows, int cols, float[] scale,
      int[] shiftRowSum, float[] bias, int vecOff, QuantizeArgs q, int qCol, double[] out, int outOff, int ldo) {
    for (int r = 0; r < rows; r++) {
      for (int j = 0; j < cols; j++) {
        float y = dequantizeOne(acc[accOff + r * ldAcc + j], vecOff + j, scale, shiftRowSum, bias);
        out[outOff + r * ldo + j] = quantizeOne(y, q, q.inverseStep()[qCol + j]);
      }
    }
  }

  private static float[] normalized(float[] x, int xo, int cols, float[] gamma, float[] beta, float eps) {
    float sum = 0f;
    for (int j = 0; j < cols; j++) {
      sum += x[xo + j];
    }
    float mean = sum / cols;
    float sq = 0f;
    for (int j = 0; j < cols; j++) {
      float d = x[xo + j] - mean;
      sq = Math.fma(d, d, sq);
    }
    float inv = (float) (1.0 / Math.sqrt(sq / cols + eps));
    float[] y = new float[cols];
    for (int j = 0; j < cols; j++) {
      y[j] = Math.fma((x[xo + j] - mean) * inv, gamma[j], beta[j]);
    }
    return y;
  }

  @Override
  public void layerNorm(float[] x, int xOff, int ldx, int rows, int cols, float[] gamma, float[] beta, float eps,
      float[] out, int outOff, int ldo, KernelScratch scratch) {
    for (int r = 0; r < rows; r++) {
      System.arraycopy(normalized(x, xOff + r * ldx, cols, gamma, beta, eps), 0, out, outOff + r * ldo, cols);
    }
  }

  @Override
  public void layerNormThenQuantize(float[] x, int xOff, int ldx, int rows, int cols, float[] gamma, float[] beta,
      float eps, QuantizeArgs q, int qCol, double[] out, int outOff, int ldo, KernelScratch scratch) {
    for (int r = 0; r < rows; r++) {
      quantize(normalized(x, xOff + r * ldx, cols, gamma, beta, eps), 0, cols, 1, cols, q, qCol, out, outOff + r * ldo, ldo);
    }
  }

  @Override
  public void softmax(int[] s, int sOff, int lds, int rows, int cols, float scale, float[] out, int outOff, int ldo) {
    for (int r = 0; r < rows; r++) {
      int so = sOff + r * lds;
      int oo = outOff + r * ldo;
      float max = Float.NEGATIVE_INFINITY;
      for (int j = 0; j < cols; j++) {
        max = Math.max(max, scale * s[so + j]);
      }
      float sum = 0f;
      for (int j = 0; j < cols; j++) {
        float e = FloatMath.exp(scale * s[so + j] - max);
        out[oo + j] = e;
        sum += e;
      }
      float inv = 1f / sum;
      for (int j = 0; j < cols; j++) {
        out[oo + j] *= inv;
      }
    }
  }

  @Override
  public void softmaxThenQuantize(int[] s, int sOff, int lds, int rows, int cols, float scale, QuantizeArgs q,
      double[] out, int outOff, int ldo, KernelScratch scratch) {
    float[] p = new float[cols];
    for (int r = 0; r < rows; r++) {
      softmax(s, sOff + r * lds, lds, 1, cols, scale, p, 0, cols);
      quantize(p, 0, cols, 1, cols, q, 0, out, outOff + r * ldo, ldo);
    }
  }

  @Override
  public void gelu(float[] x, int off, int ld, int rows, int cols, KernelScratch scratch) {
    for (int r = 0; r < rows; r++) {
      for (int j = 0; j < cols; j++) {
        x[off + r * ld + j] = FloatMath.gelu(x[off + r * ld + j]);
      }
    }
  }

  @Override
  public void geluThenQuantize(float[] x, int off, int ld, int rows, int cols, QuantizeArgs q, int qCol,
      double[] out, int outOff, int ldo, KernelScratch scratch) {
    for (int r = 0; r < rows; r++) {
      for (int j = 0; j < cols; j++) {
        out[outOff + r * ldo + j] = quantizeOne(FloatMath.gelu(x[off + r * ld + j]), q, q.inverseStep()[qCol + j]);
      }
    }
  }
}
