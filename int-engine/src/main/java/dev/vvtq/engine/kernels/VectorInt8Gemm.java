package dev.vvtq.engine.kernels;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The 8-bit product (patch embedding, classifier head, 5- to 8-bit layers): float fused multiply-adds
 * on integer-valued floats (the left operand comes as doubles, like the low-bit product's, and is
 * narrowed to floats one row tile at a time), exact while every partial sum stays at most 2^24 in magnitude; the
 * reduction is cut into chunks of {@link ExactSums#floatChunk} steps (1024 for 8-bit x 8-bit).
 * Register tile: 6 rows x 4 vectors (64 output columns with 16 lanes).
 */
final class VectorInt8Gemm {
  private VectorInt8Gemm() {}

  static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  static final int FL = F.length();
  static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
  static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(FL * 8));
  static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
  static final int DL = D.length();
  static final int ROWS = 6;
  static final int VECS = 4;
  static final int ROW_TILE = 96;

  // ---- preparation -----------------------------------------------------------------------------

  static VectorInt8Matrix prepare(byte[] w, int rows, int cols, int bits) {
    VectorInt8Matrix m = VectorInt8Matrix.compact(rows, cols, bits);
    int width = VectorInt8Matrix.panelRows();
    for (int p = 0; p < m.panels(); p++) {
      for (int k = 0; k < cols; k++) {
        int o = (p * cols + k) * width;
        for (int j = 0; j < width; j++) {
          int n = p * width + j;
          if (n < rows) {
            byte v = w[n * cols + k];
            ScalarKernels.checkRange(v, bits, n, k);
            m.compact[o + j] = v;
          }
        }
      }
    }
    return m;
  }

  static void pack(double[] src, int off, int rowStride, int colStride, int rows, int cols, int bits, VectorInt8Matrix m) {
    if (m.wide == null) {
      throw new IllegalArgumentException("cannot repack prepared weights");
    }
    if (rows > m.maxRows || cols > m.maxCols) {
      throw new IllegalArgumentException(rows + "x" + cols + " exceeds the operand's capacity " + m.maxRows + "x" + m.maxCols);
    }
    int width = VectorInt8Matrix.panelRows();
    int panels = VectorInt8Matrix.panels(rows);
    for (int p = 0; p < panels; p++) {
      for (int k = 0; k < cols; k++) {
        int o = (p * cols + k) * width;
        for (int j = 0; j < width; j++) {
          int n = p * width + j;
          m.wide[o + j] = n < rows ? (float) src[off + n * rowStride + k * colStride] : 0f;
        }
      }
    }
    m.rows = rows;
    m.cols = cols;
    m.bits = bits;
  }

  // ---- product ---------------------------------------------------------------------------------

  static void gemm(double[] a, int aOff, int lda, int aBits, int rows, VectorInt8Matrix w, int k0, int k1,
      int[] c, int cOff, int ldc, VectorScratch s) {
    if (aBits < 2 || aBits > 8) {
      throw new IllegalArgumentException("left operand bits must be in [2, 8], got " + aBits);
    }
    if (k0 < 0 || k1 > w.cols || k0 > k1) {
      throw new IllegalArgumentException("column range [" + k0 + ", " + k1 + ") outside [0, " + w.cols + ")");
    }
    int kLen = k1 - k0;
    if (kLen == 0) {
      for (int r = 0; r < rows; r++) {
        java.util.Arrays.fill(c, cOff + r * ldc, cOff + r * ldc + w.rows, 0);
      }
      return;
    }
    if (kLen * ROW_TILE > s.tileRowsF.length) {
      throw new IllegalArgumentException(kLen + " columns exceed the scratch made for " + s.tileRowsF.length / ROW_TILE);
    }
    int chunk = ExactSums.floatChunk(aBits, w.bits);
    int width = VECS * FL;
    int panelFloats = kLen * width;
    int panels = w.panels();
    int group = w.compact != null ? Math.max(1, s.widePanelsF.length / panelFloats) : panels;
    for (int g0 = 0; g0 < panels; g0 += group) {
      int g1 = Math.min(panels, g0 + group);
      float[] b;
      int bBase;
      int bStride;
      if (w.compact != null) {
        for (int p = g0; p < g1; p++) {
          expand(w.compact, (p * w.cols + k0) * width, kLen, s.widePanelsF, (p - g0) * panelFloats);
        }
        b = s.widePanelsF;
        bBase = 0;
        bStride = panelFloats;
      } else {
        b = w.wide;
        bBase = (g0 * w.cols + k0) * width;
        bStride = w.cols * width;
      }
      for (int t0 = 0; t0 < rows; t0 += ROW_TILE) {
        int t1 = Math.min(rows, t0 + ROW_TILE);
        // the tile's rows narrowed to floats once, rather than at every broadcast of the tile kernel
        float[] af = s.tileRowsF;
        for (int r = t0; r < t1; r++) {
          int src = aOff + r * lda + k0;
          int dst = (r - t0) * kLen;
          for (int j = 0; j < kLen; j++) {
            af[dst + j] = (float) a[src + j];
          }
        }
        for (int p = g0; p < g1; p++) {
          int bo = bBase + (p - g0) * bStride;
          for (int r = t0; r < t1; r += ROWS) {
            int last = t1 - 1 - t0;
            int i = r - t0;
            int ra = i * kLen;
            int rb = Math.min(i + 1, last) * kLen;
            int rc = Math.min(i + 2, last) * kLen;
            int rd = Math.min(i + 3, last) * kLen;
            int re = Math.min(i + 4, last) * kLen;
            int rf = Math.min(i + 5, last) * kLen;
            int valid = Math.min(ROWS, t1 - r);
            for (int kk = 0; kk < kLen; kk += chunk) {
              int len = Math.min(chunk, kLen - kk);
              tile6x4(af, ra + kk, rb + kk, rc + kk, rd + kk, re + kk, rf + kk, b, bo + kk * width, len, s.tileF);
              decode(s.tileF, valid, c, cOff + r * ldc, ldc, p * width, w.rows, kk > 0, s.fields);
            }
          }
        }
      }
    }
  }

  /** Widens {@code len} columns of one byte panel into floats. */
  static void expand(byte[] src, int so, int len, float[] dst, int dOff) {
    for (int k = 0; k < len; k++, so += VECS * FL, dOff += VECS * FL) {
      ((FloatVector) ByteVector.fromArray(B, src, so).convertShape(VectorOperators.B2F, F, 0)).intoArray(dst, dOff);
      ((FloatVector) ByteVector.fromArray(B, src, so + FL).convertShape(VectorOperators.B2F, F, 0))
          .intoArray(dst, dOff + FL);
      ((FloatVector) ByteVector.fromArray(B, src, so + 2 * FL).convertShape(VectorOperators.B2F, F, 0))
          .intoArray(dst, dOff + 2 * FL);
      ((FloatVector) ByteVector.fromArray(B, src, so + 3 * FL).convertShape(VectorOperators.B2F, F, 0))
          .intoArray(dst, dOff + 3 * FL);
    }
  }

  /** 6 rows x 4 vectors of float accumulators over {@code len} steps; spills them to {@code acc}. */
  static void tile6x4(float[] a, int a0, int a1, int a2, int a3, int a4, int a5, float[] b, int bo, int len,
      float[] acc) {
    FloatVector c00 = FloatVector.zero(F), c01 = c00, c02 = c00, c03 = c00;
    FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00;
    FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00;
    FloatVector c30 = c00, c31 = c00, c32 = c00, c33 = c00;
    FloatVector c40 = c00, c41 = c00, c42 = c00, c43 = c00;
    FloatVector c50 = c00, c51 = c00, c52 = c00, c53 = c00;
    for (int k = 0; k < len; k++, bo += 4 * FL) {
      FloatVector b0 = FloatVector.fromArray(F, b, bo);
      FloatVector b1 = FloatVector.fromArray(F, b, bo + FL);
      FloatVector b2 = FloatVector.fromArray(F, b, bo + 2 * FL);
      FloatVector b3 = FloatVector.fromArray(F, b, bo + 3 * FL);
      FloatVector x = FloatVector.broadcast(F, a[a0 + k]);
      c00 = b0.fma(x, c00);
      c01 = b1.fma(x, c01);
      c02 = b2.fma(x, c02);
      c03 = b3.fma(x, c03);
      x = FloatVector.broadcast(F, a[a1 + k]);
      c10 = b0.fma(x, c10);
      c11 = b1.fma(x, c11);
      c12 = b2.fma(x, c12);
      c13 = b3.fma(x, c13);
      x = FloatVector.broadcast(F, a[a2 + k]);
      c20 = b0.fma(x, c20);
      c21 = b1.fma(x, c21);
      c22 = b2.fma(x, c22);
      c23 = b3.fma(x, c23);
      x = FloatVector.broadcast(F, a[a3 + k]);
      c30 = b0.fma(x, c30);
      c31 = b1.fma(x, c31);
      c32 = b2.fma(x, c32);
      c33 = b3.fma(x, c33);
      x = FloatVector.broadcast(F, a[a4 + k]);
      c40 = b0.fma(x, c40);
      c41 = b1.fma(x, c41);
      c42 = b2.fma(x, c42);
      c43 = b3.fma(x, c43);
      x = FloatVector.broadcast(F, a[a5 + k]);
      c50 = b0.fma(x, c50);
      c51 = b1.fma(x, c51);
      c52 = b2.fma(x, c52);
      c53 = b3.fma(x, c53);
    }
    c00.intoArray(acc, 0);
    c01.intoArray(acc, FL);
    c02.intoArray(acc, 2 * FL);
    c03.intoArray(acc, 3 * FL);
    c10.intoArray(acc, 4 * FL);
    c11.intoArray(acc, 5 * FL);
    c12.intoArray(acc, 6 * FL);
    c13.intoArray(acc, 7 * FL);
    c20.intoArray(acc, 8 * FL);
    c21.intoArray(acc, 9 * FL);
    c22.intoArray(acc, 10 * FL);
    c23.intoArray(acc, 11 * FL);
    c30.intoArray(acc, 12 * FL);
    c31.intoArray(acc, 13 * FL);
    c32.intoArray(acc, 14 * FL);
    c33.intoArray(acc, 15 * FL);
    c40.intoArray(acc, 16 * FL);
    c41.intoArray(acc, 17 * FL);
    c42.intoArray(acc, 18 * FL);
    c43.intoArray(acc, 19 * FL);
    c50.intoArray(acc, 20 * FL);
    c51.intoArray(acc, 21 * FL);
    c52.intoArray(acc, 22 * FL);
    c53.intoArray(acc, 23 * FL);
  }

  /**
   * Converts the spilled float sums (exact integers up to 2^24) to ints, stored or added below {@code
   * nLimit}: widened to doubles, offset by 1.5 * 2^52 and reinterpreted, since JDK 17 does not compile
   * the float-to-int conversion (it boxes). As in {@link VectorLowBitGemm#decode}, each narrowed half
   * is a full-width int vector with a zero upper half, stored in ascending column order.
   */
  static void decode(float[] acc, int validRows, int[] c, int cRow, int ldc, int n0, int nLimit, boolean add,
      int[] fields) {
    for (int i = 0; i < validRows; i++, cRow += ldc) {
      for (int v = 0; v < VECS; v++) {
        int col = n0 + v * FL;
        int o = cRow + col;
        FloatVector x = FloatVector.fromArray(F, acc, (i * VECS + v) * FL);
        IntVector lo = (IntVector) ((DoubleVector) x.convertShape(VectorOperators.F2D, D, 0))
            .add(VectorLowBitGemm.ROUND_MAGIC).reinterpretAsLongs().convert(VectorOperators.L2I, 0);
        IntVector hi = (IntVector) ((DoubleVector) x.convertShape(VectorOperators.F2D, D, 1))
            .add(VectorLowBitGemm.ROUND_MAGIC).reinterpretAsLongs().convert(VectorOperators.L2I, 0);
        if (col + FL + DL <= nLimit) {
          if (add) {
            lo.add(IntVector.fromArray(I, c, o)).intoArray(c, o);
            hi.add(IntVector.fromArray(I, c, o + DL)).intoArray(c, o + DL);
          } else {
            lo.intoArray(c, o);
            hi.intoArray(c, o + DL);
          }
        } else if (col < nLimit) {
          lo.intoArray(fields, 0);
          hi.intoArray(fields, DL);
          int n = Math.min(FL, nLimit - col);
          for (int j = 0; j < n; j++) {
            c[o + j] = add ? c[o + j] + fields[j] : fields[j];
          }
        }
      }
    }
  }
}
