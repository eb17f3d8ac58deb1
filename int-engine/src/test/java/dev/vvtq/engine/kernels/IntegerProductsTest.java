package dev.vvtq.engine.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The vector products give exactly the integers of the scalar reference, which gives exact sums. */
class IntegerProductsTest {
  private static final Kernels SCALAR = new ScalarKernels();
  private static final Kernels VECTOR = new VectorKernels();
  private static final int SENTINEL = 0x5eed5eed;

  private static byte[] randomInts(Random rnd, int n, int bits) {
    byte[] v = new byte[n];
    int half = 1 << (bits - 1);
    for (int i = 0; i < n; i++) {
      v[i] = (byte) (rnd.nextInt(2 * half) - half);
    }
    return v;
  }

  private static long exactDot(byte[] a, int aOff, byte[] w, int wOff, int k0, int k1) {
    long s = 0;
    for (int k = k0; k < k1; k++) {
      s += (long) a[aOff + k] * w[wOff + k];
    }
    return s;
  }

  /**
   * Runs both implementations on an {@code rows x k} left operand embedded at an offset with a padded
   * stride, and checks every output against a long-arithmetic dot product and that nothing outside the
   * output block was written.
   */
  private static void checkLowBit(byte[] a, byte[] w, int rows, int n, int k, int aBits, int wBits, int k0, int k1) {
    int lda = k + 3;
    int aOff = 5;
    double[] ad = new double[aOff + rows * lda + 2];
    Arrays.fill(ad, 99); // padding a kernel must never read into its sums
    for (int r = 0; r < rows; r++) {
      for (int j = 0; j < k; j++) {
        ad[aOff + r * lda + j] = a[r * k + j];
      }
    }
    int ldc = n + 2;
    int cOff = 3;
    for (Kernels kernels : new Kernels[] {SCALAR, VECTOR}) {
      LowBitMatrix m = kernels.prepareLowBit(w, n, k, wBits);
      int[] c = new int[cOff + rows * ldc + 4];
      Arrays.fill(c, SENTINEL);
      kernels.lowBitGemm(ad, aOff, lda, aBits, rows, m, k0, k1, c, cOff, ldc, kernels.newScratch(k));
      verify(kernels, a, w, rows, n, k, k0, k1, c, cOff, ldc);
    }
  }

  private static void verify(Kernels kernels, byte[] a, byte[] w, int rows, int n, int k, int k0, int k1, int[] c,
      int cOff, int ldc) {
    for (int i = 0; i < c.length; i++) {
      int r = Math.floorDiv(i - cOff, ldc);
      int col = i - cOff - r * ldc;
      boolean inside = i >= cOff && r < rows && col < n;
      if (inside) {
        long expected = exactDot(a, r * k, w, col * k, k0, k1);
        assertEquals(expected, c[i], kernels.name() + " row " + r + " col " + col);
      } else {
        assertEquals(SENTINEL, c[i], kernels.name() + " wrote outside the output at index " + i);
      }
    }
  }

  @ParameterizedTest(name = "rows={0} n={1} k={2} a{3} w{4}")
  @CsvSource({
    "1, 1, 1, 4, 4", "1, 96, 192, 4, 4", "6, 96, 192, 4, 4", "7, 97, 191, 4, 4", "13, 200, 17, 4, 4",
    "97, 192, 192, 4, 4", "5, 288, 64, 4, 4", "3, 31, 768, 4, 4", "2, 5, 2500, 4, 4", "11, 100, 50, 2, 2",
    "11, 100, 50, 3, 3", "11, 100, 50, 4, 2", "9, 70, 300, 8, 4", "9, 70, 300, 8, 3", "4, 10, 1100, 8, 4"
  })
  void lowBitMatchesExactSums(int rows, int n, int k, int aBits, int wBits) {
    Random rnd = new Random(31L * rows + 7L * n + k + 1000L * aBits + wBits);
    checkLowBit(randomInts(rnd, rows * k, aBits), randomInts(rnd, n * k, wBits), rows, n, k, aBits, wBits, 0, k);
  }

  @Test
  void lowBitColumnRanges() {
    Random rnd = new Random(5);
    int rows = 8, n = 100, k = 192;
    byte[] a = randomInts(rnd, rows * k, 4);
    byte[] w = randomInts(rnd, n * k, 4);
    checkLowBit(a, w, rows, n, k, 4, 4, 64, 128);
    checkLowBit(a, w, rows, n, k, 4, 4, 0, 1);
    checkLowBit(a, w, rows, n, k, 4, 4, 191, 192);
    checkLowBit(a, w, rows, n, k, 4, 4, 7, 7);
  }

  /** Largest sums: every product is (-8) x (-8) = 64, 1023 of them fill a field to 65472 < 2^16. */
  @ParameterizedTest(name = "k={0}")
  @CsvSource({"1023", "1024", "2047", "3072"})
  void lowBitWorstCaseAtChunkBoundaries(int k) {
    int rows = 7, n = 99;
    byte[] a = new byte[rows * k];
    byte[] w = new byte[n * k];
    Arrays.fill(a, (byte) -8);
    Arrays.fill(w, (byte) -8);
    checkLowBit(a, w, rows, n, k, 4, 4, 0, k);
    // most negative sums: -8 x 7 everywhere, and mixed signs across the three fields of a lane
    Arrays.fill(w, (byte) 7);
    checkLowBit(a, w, rows, n, k, 4, 4, 0, k);
    for (int i = 0; i < w.length; i++) {
      w[i] = (byte) ((i / k) % 3 == 1 ? 7 : -8);
    }
    checkLowBit(a, w, rows, n, k, 4, 4, 0, k);
  }

  @Test
  void lowBitWorstCaseEightBitActivations() {
    int rows = 6, n = 72, k = 700;
    byte[] a = new byte[rows * k];
    byte[] w = new byte[n * k];
    Arrays.fill(a, (byte) -128);
    Arrays.fill(w, (byte) -8);
    checkLowBit(a, w, rows, n, k, 8, 4, 0, k);
  }

  private static void checkInt8(byte[] a, byte[] w, int rows, int n, int k, int aBits, int wBits, int k0, int k1) {
    int lda = k + 1;
    int aOff = 2;
    double[] af = new double[aOff + rows * lda];
    for (int r = 0; r < rows; r++) {
      for (int j = 0; j < k; j++) {
        af[aOff + r * lda + j] = a[r * k + j];
      }
    }
    int ldc = n + 1;
    int cOff = 1;
    for (Kernels kernels : new Kernels[] {SCALAR, VECTOR}) {
      Int8Matrix m = kernels.prepareInt8(w, n, k, wBits);
      int[] c = new int[cOff + rows * ldc + 3];
      Arrays.fill(c, SENTINEL);
      kernels.int8Gemm(af, aOff, lda, aBits, rows, m, k0, k1, c, cOff, ldc, kernels.newScratch(k));
      verify(kernels, a, w, rows, n, k, k0, k1, c, cOff, ldc);
    }
  }

  @ParameterizedTest(name = "rows={0} n={1} k={2} a{3} w{4}")
  @CsvSource({
    "1, 1, 1, 8, 8", "1, 1000, 192, 8, 8", "196, 192, 768, 8, 8", "7, 65, 63, 8, 8", "13, 33, 129, 4, 8",
    "6, 64, 100, 8, 5", "2, 3, 3000, 8, 8", "5, 17, 40, 4, 6"
  })
  void int8MatchesExactSums(int rows, int n, int k, int aBits, int wBits) {
    Random rnd = new Random(17L * rows + 3L * n + k + aBits * 100L + wBits);
    checkInt8(randomInts(rnd, rows * k, aBits), randomInts(rnd, n * k, wBits), rows, n, k, aBits, wBits, 0, k);
  }

  /** 1024 products of (-128) x (-128) sum to exactly 2^24, the largest float-exact chunk. */
  @ParameterizedTest(name = "k={0}")
  @CsvSource({"1024", "1025", "2049"})
  void int8WorstCaseAtChunkBoundaries(int k) {
    int rows = 7, n = 65;
    byte[] a = new byte[rows * k];
    byte[] w = new byte[n * k];
    Arrays.fill(a, (byte) -128);
    Arrays.fill(w, (byte) -128);
    checkInt8(a, w, rows, n, k, 8, 8, 0, k);
    Arrays.fill(w, (byte) 127);
    checkInt8(a, w, rows, n, k, 8, 8, 0, k);
  }

  /** k and v are packed per call from strided (and transposed) byte views. */
  @Test
  void perCallOperandsFromStridedViews() {
    Random rnd = new Random(11);
    int tokens = 197, hd = 64, rows = 40;
    byte[] kv = randomInts(rnd, tokens * hd, 4); // [token][dim]
    byte[] q = randomInts(rnd, rows * hd, 4);
    byte[] p = randomInts(rnd, rows * tokens, 4);
    for (Kernels kernels : new Kernels[] {SCALAR, VECTOR}) {
      KernelScratch s = kernels.newScratch(tokens);
      // scores: q [rows][hd] x k^T, with W[n = token][k = dim]
      LowBitMatrix kMat = kernels.newLowBitOperand(tokens, hd);
      kernels.packLowBit(toDoubles(kv), 0, hd, 1, tokens, hd, 4, kMat);
      double[] qd = toDoubles(q);
      int[] scores = new int[rows * tokens];
      kernels.lowBitGemm(qd, 0, hd, 4, rows, kMat, 0, hd, scores, 0, tokens, s);
      // outputs: p [rows][tokens] x v, with W[n = dim][k = token] (transposed view)
      LowBitMatrix vMat = kernels.newLowBitOperand(hd, tokens);
      kernels.packLowBit(toDoubles(kv), 0, 1, hd, hd, tokens, 4, vMat);
      int[] out = new int[rows * hd];
      kernels.lowBitGemm(toDoubles(p), 0, tokens, 4, rows, vMat, 0, tokens, out, 0, hd, s);
      Int8Matrix k8 = kernels.newInt8Operand(tokens, hd);
      kernels.packInt8(toDoubles(kv), 0, hd, 1, tokens, hd, 4, k8);
      int[] scores8 = new int[rows * tokens];
      kernels.int8Gemm(qd, 0, hd, 4, rows, k8, 0, hd, scores8, 0, tokens, s);
      for (int r = 0; r < rows; r++) {
        for (int t = 0; t < tokens; t++) {
          long e = 0;
          for (int d = 0; d < hd; d++) {
            e += q[r * hd + d] * kv[t * hd + d];
          }
          assertEquals(e, scores[r * tokens + t], kernels.name() + " score " + r + "," + t);
          assertEquals(e, scores8[r * tokens + t], kernels.name() + " int8 score " + r + "," + t);
        }
        for (int d = 0; d < hd; d++) {
          long e = 0;
          for (int t = 0; t < tokens; t++) {
            e += p[r * tokens + t] * kv[t * hd + d];
          }
          assertEquals(e, out[r * hd + d], kernels.name() + " output " + r + "," + d);
        }
      }
      // an operand is reusable with a smaller shape
      kernels.packLowBit(toDoubles(kv), 0, hd, 1, 50, hd, 4, kMat);
      int[] small = new int[rows * 50];
      kernels.lowBitGemm(qd, 0, hd, 4, rows, kMat, 0, hd, small, 0, 50, s);
      for (int t = 0; t < 50; t++) {
        assertEquals(scores[t], small[t]);
      }
    }
  }

  /** Contiguous rows (the vectorised packing path) of every length around the 8-lane field groups. */
  @Test
  void perCallOperandsOfOddShapes() {
    Random rnd = new Random(12);
    for (int n : new int[] {1, 7, 8, 9, 23, 24, 25, 64, 71, 72, 73, 150}) {
      int k = 19, rows = 7, ld = n + 5;
      byte[] w = randomInts(rnd, n * k, 4);
      double[] src = new double[3 + k * ld]; // [k][n] with padding: W[n][k] = src[3 + k*ld + n]
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < k; j++) {
          src[3 + j * ld + i] = w[i * k + j];
        }
      }
      byte[] a = randomInts(rnd, rows * k, 4);
      for (Kernels kernels : new Kernels[] {SCALAR, VECTOR}) {
        LowBitMatrix m = kernels.newLowBitOperand(n, k);
        kernels.packLowBit(src, 3, 1, ld, n, k, 4, m);
        int[] c = new int[rows * n];
        kernels.lowBitGemm(toDoubles(a), 0, k, 4, rows, m, 0, k, c, 0, n, kernels.newScratch(k));
        for (int r = 0; r < rows; r++) {
          for (int i = 0; i < n; i++) {
            assertEquals(exactDot(a, r * k, w, i * k, 0, k), c[r * n + i], kernels.name() + " n=" + n);
          }
        }
      }
    }
  }

  @Test
  void rejectsValuesOutsideTheDeclaredBits() {
    byte[] w = {0, 1, -2, 2};
    for (Kernels kernels : new Kernels[] {SCALAR, VECTOR}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> kernels.prepareLowBit(w, 2, 2, 2));
      assertEquals(true, e.getMessage().contains("value 2 at [1, 1]"), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> kernels.prepareLowBit(w, 2, 2, 5));
    }
  }

  @Test
  void exactChunkSizes() {
    assertEquals(1023, ExactSums.tripleFieldChunk(4, 4));
    assertEquals(63, ExactSums.tripleFieldChunk(8, 4));
    assertEquals(1024, ExactSums.floatChunk(8, 8));
    assertArrayEquals(new int[] {64, 16384}, new int[] {ExactSums.maxProduct(4, 4), ExactSums.maxProduct(8, 8)});
  }

  private static double[] toDoubles(byte[] b) {
    double[] d = new double[b.length];
    for (int i = 0; i < b.length; i++) {
      d[i] = b[i];
    }
    return d;
  }
}
