package dev.vvtq.bench;

import dev.vvtq.engine.kernels.Int8Matrix;
import dev.vvtq.engine.kernels.KernelScratch;
import dev.vvtq.engine.kernels.Kernels;
import dev.vvtq.engine.kernels.LowBitMatrix;
import dev.vvtq.engine.kernels.VectorKernels;
import java.util.Locale;
import java.util.Random;

/**
 * Single-thread GOPS of the integer kernels alone on deit_tiny's shapes, for comparison with the
 * ceilings in ENGINE-NOTES.md (2 x multiply-accumulates per second; best of {@code rounds}).
 *
 * <p>Usage: {@code KernelBenchmark [rounds=15]}.
 */
public final class KernelBenchmark {
  private KernelBenchmark() {}

  private static double[] ints(Random rnd, int n, int lo, int hi) {
    double[] d = new double[n];
    for (int i = 0; i < n; i++) {
      d[i] = lo + rnd.nextInt(hi - lo + 1);
    }
    return d;
  }

  private static byte[] weights(Random rnd, int n, int bits) {
    byte[] w = new byte[n];
    int half = 1 << (bits - 1);
    for (int i = 0; i < n; i++) {
      w[i] = (byte) (rnd.nextInt(2 * half) - half);
    }
    return w;
  }

  public static void main(String[] args) {
    int rounds = args.length > 0 ? Integer.parseInt(args[0].replace("rounds=", "")) : 15;
    Kernels k = new VectorKernels();
    Random rnd = new Random(1);
    System.out.println("== kernel GOPS, one thread, " + k.name() + ", JDK " + System.getProperty("java.version"));
    int[][] shapes = {{197, 192, 576}, {197, 192, 192}, {197, 192, 768}, {197, 768, 192}, {99, 192, 768}, {99, 768, 192}};
    for (int[] s : shapes) {
      int m = s[0];
      int kk = s[1];
      int n = s[2];
      byte[] w = weights(rnd, n * kk, 4);
      byte[] w8 = weights(rnd, n * kk, 8);
      double[] a = ints(rnd, m * kk, -8, 7);
      double[] a8 = ints(rnd, m * kk, -128, 127);
      LowBitMatrix low = k.prepareLowBit(w, n, kk, 4);
      Int8Matrix i8 = k.prepareInt8(w8, n, kk, 8);
      int[] c = new int[m * n];
      KernelScratch sc = k.newScratch(kk);
      double bestLow = 0;
      double bestI8 = 0;
      for (int r = 0; r < rounds; r++) {
        long t0 = System.nanoTime();
        for (int it = 0; it < 10; it++) {
          k.lowBitGemm(a, 0, kk, 4, m, low, 0, kk, c, 0, n, sc);
        }
        long t1 = System.nanoTime();
        for (int it = 0; it < 10; it++) {
          k.int8Gemm(a8, 0, kk, 8, m, i8, 0, kk, c, 0, n, sc);
        }
        long t2 = System.nanoTime();
        bestLow = Math.max(bestLow, 2.0 * m * kk * n * 10 / (t1 - t0));
        bestI8 = Math.max(bestI8, 2.0 * m * kk * n * 10 / (t2 - t1));
      }
      System.out.printf(Locale.ROOT, "M=%d K=%d N=%d: 4-bit x 4-bit %.0f GOPS, 8-bit x 8-bit %.0f GOPS%n", m, kk, n, bestLow,
          bestI8);
    }
    // attention of one head: q k^T (K = 64) and p v (K = 197), with the per-call packing
    int t = 197;
    int hd = 64;
    double[] kv = ints(rnd, t * hd, -8, 7);
    double[] q = ints(rnd, t * hd, -8, 7);
    double[] p = ints(rnd, t * t, 0, 15);
    LowBitMatrix km = k.newLowBitOperand(t, hd);
    LowBitMatrix vm = k.newLowBitOperand(hd, t);
    int[] c = new int[t * t];
    KernelScratch sc = k.newScratch(t);
    double bestQk = 0;
    double bestPv = 0;
    double bestPack = Double.MAX_VALUE;
    for (int r = 0; r < rounds; r++) {
      long t0 = System.nanoTime();
      for (int it = 0; it < 50; it++) {
        k.packLowBit(kv, 0, hd, 1, t, hd, 4, km);
        k.packLowBit(kv, 0, 1, hd, hd, t, 4, vm);
      }
      long t1 = System.nanoTime();
      for (int it = 0; it < 50; it++) {
        k.lowBitGemm(q, 0, hd, 4, t, km, 0, hd, c, 0, t, sc);
      }
      long t2 = System.nanoTime();
      for (int it = 0; it < 50; it++) {
        k.lowBitGemm(p, 0, t, 5, t, vm, 0, t, c, 0, hd, sc);
      }
      long t3 = System.nanoTime();
      double ops = 2.0 * t * t * hd * 50;
      bestPack = Math.min(bestPack, (t1 - t0) / 50e3);
      bestQk = Math.max(bestQk, ops / (t2 - t1));
      bestPv = Math.max(bestPv, ops / (t3 - t2));
    }
    System.out.printf(Locale.ROOT, "attention, one head of 197 tokens: q k^T %.0f GOPS, p v %.0f GOPS, packing k and v %.1f us%n",
        bestQk, bestPv, bestPack);
  }
}
