package dev.vvtq.engine.onednn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vvtq.engine.kernels.Int8Matrix;
import dev.vvtq.engine.kernels.KernelScratch;
import dev.vvtq.engine.kernels.Kernels;
import dev.vvtq.engine.kernels.LowBitMatrix;
import dev.vvtq.engine.kernels.ScalarKernels;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * oneDNN's int8 matmuls give exactly the integers of the scalar reference (and of long-arithmetic dot
 * products) for every shape class the engine runs, column ranges, per-call operands, and the
 * worst-case operands (all -8 x -8, -8 x 7; 8-bit -128 x -128 and -128 x 127).
 */
class OneDnnProductsTest {
  private static final int SENTINEL = 0x5eed5eed;
  private static final Kernels SCALAR = new ScalarKernels();
  private static OneDnnKernels onednn;

  @BeforeAll
  static void open() {
    onednn = OneDnnKernels.open();
  }

  @AfterAll
  static void close() {
    onednn.close();
  }

  private static byte[] randomInts(Random rnd, int n, int bits) {
    byte[] v = new byte[n];
    int half = 1 << (bits - 1);
    for (int i = 0; i < n; i++) {
      v[i] = (byte) (rnd.nextInt(2 * half) - half);
    }
    return v;
  }

  /** The left operand embedded at an offset with a padded stride; padding a kernel must never read. */
  private static double[] embed(byte[] a, int rows, int k, int aOff, int lda) {
    double[] ad = new double[aOff + rows * lda + 2];
    Arrays.fill(ad, 99);
    for (int r = 0; r < rows; r++) {
      for (int j = 0; j < k; j++) {
        ad[aOff + r * lda + j] = a[r * k + j];
      }
    }
    return ad;
  }

  private static void check(byte[] a, byte[] w, int rows, int n, int k, int aBits, int wBits, int k0, int k1) {
    int lda = k + 3;
    int aOff = 5;
    double[] ad = embed(a, rows, k, aOff, lda);
    int ldc = n + 2;
    int cOff = 3;
    int[] expected = new int[cOff + rows * ldc + 4];
    Arrays.fill(expected, SENTINEL);
    KernelScratch ss = SCALAR.newScratch(k);
    if (wBits <= 4) {
      SCALAR.lowBitGemm(ad, aOff, lda, aBits, rows, SCALAR.prepareLowBit(w, n, k, wBits), k0, k1, expected, cOff, ldc, ss);
    } else {
      SCALAR.int8Gemm(ad, aOff, lda, aBits, rows, SCALAR.prepareInt8(w, n, k, wBits), k0, k1, expected, cOff, ldc, ss);
    }
    for (int r = 0; r < rows; r++) {
      for (int col = 0; col < n; col++) {
        long dot = 0;
        for (int j = k0; j < k1; j++) {
          dot += (long) a[r * k + j] * w[col * k + j];
        }
        assertEquals(dot, expected[cOff + r * ldc + col], "the scalar reference itself");
      }
    }
    // twice on one scratch: the second product reuses the primitive made by the first
    KernelScratch s = onednn.newScratch(k);
    for (int round = 0; round < 2; round++) {
      int[] c = new int[expected.length];
      Arrays.fill(c, SENTINEL);
      if (wBits <= 4 && aBits <= 8) {
        LowBitMatrix m = onednn.prepareLowBit(w, n, k, wBits);
        onednn.lowBitGemm(ad, aOff, lda, aBits, rows, m, k0, k1, c, cOff, ldc, s);
      } else {
        Int8Matrix m = onednn.prepareInt8(w, n, k, wBits);
        onednn.int8Gemm(ad, aOff, lda, aBits, rows, m, k0, k1, c, cOff, ldc, s);
      }
      for (int i = 0; i < c.length; i++) {
        assertEquals(expected[i], c[i], "index " + i + " (rows=" + rows + " n=" + n + " k=" + k + ")");
      }
    }
  }

  @ParameterizedTest(name = "rows={0} n={1} k={2} a{3} w{4}")
  @CsvSource({
    // the engine's classes for DeiT-Tiny: q/k/v, proj, fc1, fc2, patch embedding, head, q k^T, p v
    "197, 576, 192, 4, 4", "99, 192, 192, 4, 4", "98, 768, 192, 4, 4", "197, 192, 768, 4, 4", "196, 192, 768, 8, 8",
    "2, 1000, 192, 8, 8", "36, 197, 64, 4, 4", "17, 64, 197, 5, 4", "1, 64, 197, 5, 4", "1, 197, 64, 4, 4",
    // odd shapes
    "1, 1, 1, 4, 4", "7, 97, 191, 4, 4", "13, 200, 17, 4, 4", "11, 100, 50, 2, 2", "11, 100, 50, 3, 3",
    "9, 70, 300, 8, 4", "4, 10, 1100, 8, 8", "2, 5, 2500, 4, 4", "394, 576, 192, 4, 4"
  })
  void matchesTheReference(int rows, int n, int k, int aBits, int wBits) {
    Random rnd = new Random(31L * rows + 7L * n + k + 1000L * aBits + wBits);
    check(randomInts(rnd, rows * k, aBits), randomInts(rnd, n * k, wBits), rows, n, k, aBits, wBits, 0, k);
  }

  @Test
  void columnRanges() {
    Random rnd = new Random(5);
    int rows = 8, n = 100, k = 192;
    byte[] a = randomInts(rnd, rows * k, 4);
    byte[] w = randomInts(rnd, n * k, 4);
    check(a, w, rows, n, k, 4, 4, 64, 128);
    check(a, w, rows, n, k, 4, 4, 0, 1);
    check(a, w, rows, n, k, 4, 4, 191, 192);
    check(a, w, rows, n, k, 4, 4, 7, 7);
  }

  @ParameterizedTest(name = "k={0}")
  @CsvSource({"64", "197", "768", "1023", "3072"})
  void worstCaseOperands(int k) {
    int rows = 7, n = 99;
    byte[] a = new byte[rows * k];
    byte[] w = new byte[n * k];
    Arrays.fill(a, (byte) -8);
    Arrays.fill(w, (byte) -8);
    check(a, w, rows, n, k, 4, 4, 0, k);
    Arrays.fill(w, (byte) 7);
    check(a, w, rows, n, k, 4, 4, 0, k);
    Arrays.fill(a, (byte) 7);
    check(a, w, rows, n, k, 4, 4, 0, k);
    Arrays.fill(a, (byte) 15); // unshifted probabilities of the low-bit attention product (5 bits)
    Arrays.fill(w, (byte) -8);
    check(a, w, rows, n, k, 5, 4, 0, k);
    Arrays.fill(a, (byte) -128);
    Arrays.fill(w, (byte) -128);
    check(a, w, rows, n, k, 8, 8, 0, k);
    Arrays.fill(w, (byte) 127);
    check(a, w, rows, n, k, 8, 8, 0, k);
    Arrays.fill(a, (byte) 127);
    check(a, w, rows, n, k, 8, 8, 0, k);
  }

  /** k and v of attention: packed per call from strided doubles, as the forward pass does. */
  @Test
  void perCallOperandsFromStridedDoubles() {
    Random rnd = new Random(11);
    int tokens = 197, hd = 64, width = 3 * 192;
    double[] qkv = new double[tokens * width];
    for (int i = 0; i < qkv.length; i++) {
      qkv[i] = rnd.nextInt(16) - 8;
    }
    int kOff = 192 + 64;
    int vOff = kOff + 192;
    LowBitMatrix kScalar = SCALAR.newLowBitOperand(tokens, hd);
    LowBitMatrix vScalar = SCALAR.newLowBitOperand(hd, tokens);
    LowBitMatrix kDnn = onednn.newLowBitOperand(tokens, hd);
    LowBitMatrix vDnn = onednn.newLowBitOperand(hd, tokens);
    SCALAR.packLowBit(qkv, kOff, width, 1, tokens, hd, 4, kScalar);
    SCALAR.packLowBit(qkv, vOff, 1, width, hd, tokens, 4, vScalar);
    onednn.packLowBit(qkv, kOff, width, 1, tokens, hd, 4, kDnn);
    onednn.packLowBit(qkv, vOff, 1, width, hd, tokens, 4, vDnn);
    KernelScratch ss = SCALAR.newScratch(tokens);
    KernelScratch ds = onednn.newScratch(tokens);
    for (int rows : new int[] {36, 17, 1}) {
      int[] e = new int[rows * tokens];
      int[] c = new int[rows * tokens];
      SCALAR.lowBitGemm(qkv, 64, width, 4, rows, kScalar, 0, hd, e, 0, tokens, ss);
      onednn.lowBitGemm(qkv, 64, width, 4, rows, kDnn, 0, hd, c, 0, tokens, ds);
      assertTrue(Arrays.equals(e, c), "q k^T, " + rows + " rows");
      double[] p = new double[rows * tokens];
      for (int i = 0; i < p.length; i++) {
        p[i] = rnd.nextInt(16);
      }
      int[] eo = new int[rows * hd];
      int[] co = new int[rows * hd];
      SCALAR.lowBitGemm(p, 0, tokens, 5, rows, vScalar, 0, tokens, eo, 0, hd, ss);
      onednn.lowBitGemm(p, 0, tokens, 5, rows, vDnn, 0, tokens, co, 0, hd, ds);
      assertTrue(Arrays.equals(eo, co), "p v, " + rows + " rows");
    }
  }

  @Test
  void refusesOutOfRangeWeightsAndForeignOperands() {
    assertThrows(IllegalArgumentException.class, () -> onednn.prepareLowBit(new byte[] {8, 0}, 1, 2, 4));
    LowBitMatrix foreign = SCALAR.prepareLowBit(new byte[] {1, 2}, 1, 2, 4);
    assertThrows(IllegalArgumentException.class,
        () -> onednn.lowBitGemm(new double[2], 0, 2, 4, 1, foreign, 0, 2, new int[1], 0, 1, onednn.newScratch(2)));
  }

  @Test
  void namesTheIsaAndAnImplementation() {
    assertTrue(onednn.name().startsWith("onednn-3."), onednn.name());
    Object w = onednn.prepareLowBit(new byte[576 * 192], 576, 192, 4);
    String impl = onednn.implementation(w, 197);
    assertTrue(!impl.isBlank(), impl);
    System.out.println("oneDNN " + onednn.name() + ", q/k/v product: " + impl);
  }
}
