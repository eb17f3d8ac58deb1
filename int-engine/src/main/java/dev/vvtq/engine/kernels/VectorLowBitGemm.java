package dev.vvtq.engine.kernels;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The low-bit product with three products per double lane (ENGINE-NOTES: the fastest pure-Java
 * formulation measured here). A right-operand lane holds {@code w0 + 2^17 w1 + 2^34 w2}; one fused
 * multiply-add by a broadcast activation accumulates {@code a*w0 + 2^17 a*w1 + 2^34 a*w2}. The three
 * sums stay exact and separable while each stays below 2^16 in magnitude, so the reduction is cut into
 * chunks of {@link ExactSums#tripleFieldChunk} steps (1023 for 4-bit x 4-bit: a single chunk for every
 * DeiT layer) and decoded after each chunk.
 *
 * <p>Register tile: 6 rows x 4 vectors for weights (24 accumulators, 28 of 32 registers), 6 x 3 for
 * per-call operands whose row count (tokens, head dimension) fits 72-row panels better.
 */
final class VectorLowBitGemm {
  private VectorLowBitGemm() {}

  static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
  static final VectorSpecies<Long> L = LongVector.SPECIES_PREFERRED;
  static final int DL = D.length();
  static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
  static final int ROWS = 6;
  static final int WEIGHT_VECS = 4;
  static final int OPERAND_VECS = 3;
  /** Rows of the left operand per tile: 96 rows x 768 doubles = 576 KiB stays in L2 across panels. */
  static final int ROW_TILE = 96;

  static final double F1 = 131072.0; // 2^17
  static final double F2 = F1 * F1; // 2^34
  static final double INV_F1 = 1.0 / F1;
  static final double INV_F2 = 1.0 / F2;
  /** Adding then subtracting 1.5 * 2^52 rounds a double of magnitude below 2^51 to an integer. */
  static final double ROUND_MAGIC = 6755399441055744.0;
  /** Compact nibbles store w + 8; subtracting this from the assembled lane removes the three biases. */
  static final long BIAS = 8L + (8L << 17) + (8L << 34);

  private static final LongVector BYTE_SHIFTS;
  /** Shifts bringing lane j's field-2 nibble down: even vectors use the low half, odd the high half. */
  private static final long[] NIBBLE_SHIFTS = new long[2 * DL];

  static {
    long[] b = new long[DL];
    for (int j = 0; j < DL; j++) {
      b[j] = 8L * j;
      NIBBLE_SHIFTS[j] = 4L * j;
      NIBBLE_SHIFTS[DL + j] = 4L * j + 4L * DL;
    }
    BYTE_SHIFTS = LongVector.fromArray(L, b, 0);
    if (DL > 8) {
      throw new ExceptionInInitializerError("compact low-bit layout supports at most 8 double lanes, have " + DL);
    }
  }

  // ---- preparation -----------------------------------------------------------------------------

  /** Compact weights: per (panel, column), one word of lane bytes per vector, then nibble words. */
  static VectorLowBitMatrix prepare(byte[] w, int rows, int cols, int bits) {
    VectorLowBitMatrix m = VectorLowBitMatrix.compact(rows, cols, bits);
    int vecs = m.vecs;
    int width = vecs * DL;
    int words = m.wordsPerColumn();
    for (int p = 0; p < m.panels(); p++) {
      for (int k = 0; k < cols; k++) {
        int base = (p * cols + k) * words;
        for (int v = 0; v < vecs; v++) {
          for (int j = 0; j < DL; j++) {
            int n0 = p * 3 * width + v * 3 * DL + j;
            long u0 = biased(w, n0, k, rows, cols, bits);
            long u1 = biased(w, n0 + DL, k, rows, cols, bits);
            long u2 = biased(w, n0 + 2 * DL, k, rows, cols, bits);
            m.compact[base + v] |= (u0 | (u1 << 4)) << (8 * j);
            m.compact[base + vecs + v / 2] |= u2 << (4 * j + (v & 1) * 4 * DL);
          }
        }
      }
    }
    return m;
  }

  private static long biased(byte[] w, int n, int k, int rows, int cols, int bits) {
    if (n >= rows) {
      return 8;
    }
    byte v = w[n * cols + k];
    ScalarKernels.checkRange(v, bits, n, k);
    return v + 8;
  }

  /**
   * Per-call operand: {@code W[n][k] = src[off + n*rowStride + k*colStride]}, packed wide. With {@code
   * rowStride == 1} (v: rows are the head dimension) every field is one vector load; otherwise (k:
   * rows are tokens, a transposition) the lanes are gathered in scalar code.
   */
  static void pack(double[] src, int off, int rowStride, int colStride, int rows, int cols, int bits, VectorLowBitMatrix m) {
    if (m.wide == null) {
      throw new IllegalArgumentException("cannot repack prepared weights");
    }
    int width = m.vecs * DL;
    int panels = (rows + 3 * width - 1) / (3 * width);
    if (panels * cols * width > m.wide.length || cols > m.maxCols) {
      throw new IllegalArgumentException(rows + "x" + cols + " exceeds the operand's capacity");
    }
    for (int p = 0; p < panels; p++) {
      for (int k = 0; k < cols; k++) {
        int o = (p * cols + k) * width;
        int s = off + k * colStride;
        for (int v = 0; v < m.vecs; v++) {
          int n0 = p * 3 * width + v * 3 * DL;
          if (rowStride == 1 && n0 + 3 * DL <= rows) {
            DoubleVector.fromArray(D, src, s + n0)
                .add(DoubleVector.fromArray(D, src, s + n0 + DL).mul(F1))
                .add(DoubleVector.fromArray(D, src, s + n0 + 2 * DL).mul(F2))
                .intoArray(m.wide, o + v * DL);
          } else {
            for (int j = 0; j < DL; j++) {
              int n = n0 + j;
              double w0 = n < rows ? src[s + n * rowStride] : 0;
              double w1 = n + DL < rows ? src[s + (n + DL) * rowStride] : 0;
              double w2 = n + 2 * DL < rows ? src[s + (n + 2 * DL) * rowStride] : 0;
              m.wide[o + v * DL + j] = w0 + F1 * w1 + F2 * w2;
            }
          }
        }
      }
    }
    m.rows = rows;
    m.cols = cols;
    m.bits = bits;
  }

  // ---- product ---------------------------------------------------------------------------------

  static void gemm(double[] a, int aOff, int lda, int aBits, int rows, VectorLowBitMatrix w, int k0, int k1,
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
    int chunk = ExactSums.tripleFieldChunk(aBits, w.bits);
    int vecs = w.vecs;
    int width = vecs * DL;
    int panelDoubles = kLen * width;
    int panels = w.panels();
    int group = w.compact != null ? Math.max(1, s.widePanels.length / panelDoubles) : panels;
    for (int g0 = 0; g0 < panels; g0 += group) {
      int g1 = Math.min(panels, g0 + group);
      double[] b;
      int bBase;
      int bStride;
      if (w.compact != null) {
        for (int p = g0; p < g1; p++) {
          expand(w.compact, (p * w.cols + k0) * w.wordsPerColumn(), kLen, s.widePanels, (p - g0) * panelDoubles);
        }
        b = s.widePanels;
        bBase = 0;
        bStride = panelDoubles;
      } else {
        b = w.wide;
        bBase = (g0 * w.cols + k0) * width;
        bStride = w.cols * width;
      }
      for (int t0 = 0; t0 < rows; t0 += ROW_TILE) {
        int t1 = Math.min(rows, t0 + ROW_TILE);
        for (int p = g0; p < g1; p++) {
          int bo = bBase + (p - g0) * bStride;
          for (int r = t0; r < t1; r += ROWS) {
            int last = t1 - 1;
            int ra = aOff + r * lda + k0;
            int rb = aOff + Math.min(r + 1, last) * lda + k0;
            int rc = aOff + Math.min(r + 2, last) * lda + k0;
            int rd = aOff + Math.min(r + 3, last) * lda + k0;
            int re = aOff + Math.min(r + 4, last) * lda + k0;
            int rf = aOff + Math.min(r + 5, last) * lda + k0;
            int valid = Math.min(ROWS, t1 - r);
            for (int kk = 0; kk < kLen; kk += chunk) {
              int len = Math.min(chunk, kLen - kk);
              if (vecs == 4) {
                tile6x4(a, ra + kk, rb + kk, rc + kk, rd + kk, re + kk, rf + kk, b, bo + kk * width, len, s.tile);
              } else {
                tile6x3(a, ra + kk, rb + kk, rc + kk, rd + kk, re + kk, rf + kk, b, bo + kk * width, len, s.tile);
              }
              decode(s.tile, vecs, valid, c, cOff + r * ldc, ldc, p * 3 * width, w.rows, kk > 0, s.fields);
            }
          }
        }
      }
    }
  }

  /**
   * Widens {@code len} columns of one compact panel (4 vectors) into doubles. A loop over the vectors
   * rather than four copies: the compiled method stays small, well inside C2's inlining budget (an
   * exhausted budget leaves Vector API calls un-inlined, and every vector boxed).
   */
  static void expand(long[] src, int so, int len, double[] dst, int dOff) {
    for (int k = 0; k < len; k++, so += 6) {
      for (int v = 0; v < 4; v++, dOff += DL) {
        LongVector x = LongVector.broadcast(L, src[so + v]).lanewise(VectorOperators.LSHR, BYTE_SHIFTS);
        LongVector n = LongVector.broadcast(L, src[so + 4 + (v >> 1)])
            .lanewise(VectorOperators.LSHR, LongVector.fromArray(L, NIBBLE_SHIFTS, (v & 1) * DL));
        LongVector u = x.and(0xFL)
            .or(x.and(0xF0L).lanewise(VectorOperators.LSHL, 13))
            .or(n.and(0xFL).lanewise(VectorOperators.LSHL, 34))
            .sub(BIAS);
        ((DoubleVector) u.convert(VectorOperators.L2D, 0)).intoArray(dst, dOff);
      }
    }
  }

  /** 6 rows x 4 vectors of accumulators over {@code len} steps; spills them to {@code acc}. */
  static void tile6x4(double[] a, int a0, int a1, int a2, int a3, int a4, int a5, double[] b, int bo, int len,
      double[] acc) {
    DoubleVector c00 = DoubleVector.zero(D), c01 = c00, c02 = c00, c03 = c00;
    DoubleVector c10 = c00, c11 = c00, c12 = c00, c13 = c00;
    DoubleVector c20 = c00, c21 = c00, c22 = c00, c23 = c00;
    DoubleVector c30 = c00, c31 = c00, c32 = c00, c33 = c00;
    DoubleVector c40 = c00, c41 = c00, c42 = c00, c43 = c00;
    DoubleVector c50 = c00, c51 = c00, c52 = c00, c53 = c00;
    for (int k = 0; k < len; k++, bo += 4 * DL) {
      DoubleVector b0 = DoubleVector.fromArray(D, b, bo);
      DoubleVector b1 = DoubleVector.fromArray(D, b, bo + DL);
      DoubleVector b2 = DoubleVector.fromArray(D, b, bo + 2 * DL);
      DoubleVector b3 = DoubleVector.fromArray(D, b, bo + 3 * DL);
      DoubleVector x = DoubleVector.broadcast(D, a[a0 + k]);
      c00 = b0.fma(x, c00);
      c01 = b1.fma(x, c01);
      c02 = b2.fma(x, c02);
      c03 = b3.fma(x, c03);
      x = DoubleVector.broadcast(D, a[a1 + k]);
      c10 = b0.fma(x, c10);
      c11 = b1.fma(x, c11);
      c12 = b2.fma(x, c12);
      c13 = b3.fma(x, c13);
      x = DoubleVector.broadcast(D, a[a2 + k]);
      c20 = b0.fma(x, c20);
      c21 = b1.fma(x, c21);
      c22 = b2.fma(x, c22);
      c23 = b3.fma(x, c23);
      x = DoubleVector.broadcast(D, a[a3 + k]);
      c30 = b0.fma(x, c30);
      c31 = b1.fma(x, c31);
      c32 = b2.fma(x, c32);
      c33 = b3.fma(x, c33);
      x = DoubleVector.broadcast(D, a[a4 + k]);
      c40 = b0.fma(x, c40);
      c41 = b1.fma(x, c41);
      c42 = b2.fma(x, c42);
      c43 = b3.fma(x, c43);
      x = DoubleVector.broadcast(D, a[a5 + k]);
      c50 = b0.fma(x, c50);
      c51 = b1.fma(x, c51);
      c52 = b2.fma(x, c52);
      c53 = b3.fma(x, c53);
    }
    c00.intoArray(acc, 0);
    c01.intoArray(acc, DL);
    c02.intoArray(acc, 2 * DL);
    c03.intoArray(acc, 3 * DL);
    c10.intoArray(acc, 4 * DL);
    c11.intoArray(acc, 5 * DL);
    c12.intoArray(acc, 6 * DL);
    c13.intoArray(acc, 7 * DL);
    c20.intoArray(acc, 8 * DL);
    c21.intoArray(acc, 9 * DL);
    c22.intoArray(acc, 10 * DL);
    c23.intoArray(acc, 11 * DL);
    c30.intoArray(acc, 12 * DL);
    c31.intoArray(acc, 13 * DL);
    c32.intoArray(acc, 14 * DL);
    c33.intoArray(acc, 15 * DL);
    c40.intoArray(acc, 16 * DL);
    c41.intoArray(acc, 17 * DL);
    c42.intoArray(acc, 18 * DL);
    c43.intoArray(acc, 19 * DL);
    c50.intoArray(acc, 20 * DL);
    c51.intoArray(acc, 21 * DL);
    c52.intoArray(acc, 22 * DL);
    c53.intoArray(acc, 23 * DL);
  }

  /** 6 rows x 3 vectors of accumulators over {@code len} steps; spills them to {@code acc}. */
  static void tile6x3(double[] a, int a0, int a1, int a2, int a3, int a4, int a5, double[] b, int bo, int len,
      double[] acc) {
    DoubleVector c00 = DoubleVector.zero(D), c01 = c00, c02 = c00;
    DoubleVector c10 = c00, c11 = c00, c12 = c00;
    DoubleVector c20 = c00, c21 = c00, c22 = c00;
    DoubleVector c30 = c00, c31 = c00, c32 = c00;
    DoubleVector c40 = c00, c41 = c00, c42 = c00;
    DoubleVector c50 = c00, c51 = c00, c52 = c00;
    for (int k = 0; k < len; k++, bo += 3 * DL) {
      DoubleVector b0 = DoubleVector.fromArray(D, b, bo);
      DoubleVector b1 = DoubleVector.fromArray(D, b, bo + DL);
      DoubleVector b2 = DoubleVector.fromArray(D, b, bo + 2 * DL);
      DoubleVector x = DoubleVector.broadcast(D, a[a0 + k]);
      c00 = b0.fma(x, c00);
      c01 = b1.fma(x, c01);
      c02 = b2.fma(x, c02);
      x = DoubleVector.broadcast(D, a[a1 + k]);
      c10 = b0.fma(x, c10);
      c11 = b1.fma(x, c11);
      c12 = b2.fma(x, c12);
      x = DoubleVector.broadcast(D, a[a2 + k]);
      c20 = b0.fma(x, c20);
      c21 = b1.fma(x, c21);
      c22 = b2.fma(x, c22);
      x = DoubleVector.broadcast(D, a[a3 + k]);
      c30 = b0.fma(x, c30);
      c31 = b1.fma(x, c31);
      c32 = b2.fma(x, c32);
      x = DoubleVector.broadcast(D, a[a4 + k]);
      c40 = b0.fma(x, c40);
      c41 = b1.fma(x, c41);
      c42 = b2.fma(x, c42);
      x = DoubleVector.broadcast(D, a[a5 + k]);
      c50 = b0.fma(x, c50);
      c51 = b1.fma(x, c51);
      c52 = b2.fma(x, c52);
    }
    c00.intoArray(acc, 0);
    c01.intoArray(acc, DL);
    c02.intoArray(acc, 2 * DL);
    c10.intoArray(acc, 3 * DL);
    c11.intoArray(acc, 4 * DL);
    c12.intoArray(acc, 5 * DL);
    c20.intoArray(acc, 6 * DL);
    c21.intoArray(acc, 7 * DL);
    c22.intoArray(acc, 8 * DL);
    c30.intoArray(acc, 9 * DL);
    c31.intoArray(acc, 10 * DL);
    c32.intoArray(acc, 11 * DL);
    c40.intoArray(acc, 12 * DL);
    c41.intoArray(acc, 13 * DL);
    c42.intoArray(acc, 14 * DL);
    c50.intoArray(acc, 15 * DL);
    c51.intoArray(acc, 16 * DL);
    c52.intoArray(acc, 17 * DL);
  }

  /**
   * Splits each spilled lane {@code s0 + 2^17 s1 + 2^34 s2} into its three integers (exact double
   * arithmetic: scaling by powers of two, rounding with the 1.5 * 2^52 trick, fused subtraction) and
   * stores them, or adds them for later chunks, to columns below {@code nLimit}. Each field is below
   * 2^16 in magnitude, so rounding {@code field + remainder / 2^17} (remainder below 2^16) is exact.
   *
   * <p>Vector v of a panel covers 3L contiguous columns, field f at {@code v*3L + f*L}. A narrowed
   * field is a full-width int vector whose upper half is zero (a narrower int species would mix shapes,
   * which JDK 17 cannot compile without boxing): stores go in ascending column order, each overwriting
   * the zero half of the previous one. The last zero half lands on columns written later (next vector,
   * next panel) or, near {@code nLimit}, is replaced by a scalar copy; added, it adds nothing.
   */
  static void decode(double[] acc, int vecs, int validRows, int[] c, int cRow, int ldc, int n0, int nLimit,
      boolean add, int[] fields) {
    for (int i = 0; i < validRows; i++, cRow += ldc) {
      for (int v = 0; v < vecs; v++) {
        DoubleVector x = DoubleVector.fromArray(D, acc, (i * vecs + v) * DL);
        // y = s + 1.5 * 2^52 holds the integer s in the low 32 bits of its representation:
        // reinterpreting avoids the double-to-int conversions JDK 17 does not compile (they box).
        DoubleVector y2 = x.mul(INV_F2).add(ROUND_MAGIC);
        DoubleVector rem = y2.sub(ROUND_MAGIC).fma(DoubleVector.broadcast(D, -F2), x);
        DoubleVector y1 = rem.mul(INV_F1).add(ROUND_MAGIC);
        DoubleVector y0 = y1.sub(ROUND_MAGIC).fma(DoubleVector.broadcast(D, -F1), rem).add(ROUND_MAGIC);
        IntVector i0 = (IntVector) y0.reinterpretAsLongs().convert(VectorOperators.L2I, 0);
        IntVector i1 = (IntVector) y1.reinterpretAsLongs().convert(VectorOperators.L2I, 0);
        IntVector i2 = (IntVector) y2.reinterpretAsLongs().convert(VectorOperators.L2I, 0);
        int col = n0 + v * 3 * DL;
        int o = cRow + col;
        if (col + 4 * DL <= nLimit) {
          if (add) {
            i0.add(IntVector.fromArray(I, c, o)).intoArray(c, o);
            i1.add(IntVector.fromArray(I, c, o + DL)).intoArray(c, o + DL);
            i2.add(IntVector.fromArray(I, c, o + 2 * DL)).intoArray(c, o + 2 * DL);
          } else {
            i0.intoArray(c, o);
            i1.intoArray(c, o + DL);
            i2.intoArray(c, o + 2 * DL);
          }
        } else if (col < nLimit) {
          i0.intoArray(fields, 0);
          i1.intoArray(fields, DL);
          i2.intoArray(fields, 2 * DL);
          int n = Math.min(3 * DL, nLimit - col);
          for (int j = 0; j < n; j++) {
            c[o + j] = add ? c[o + j] + fields[j] : fields[j];
          }
        }
      }
    }
  }
}
