package dev.vvtq.engine.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Vector float parts against the scalar reference and against double-precision formulas. */
class FloatOpsTest {
  private static final Kernels SCALAR = new ScalarKernels();
  private static final Kernels VECTOR = new VectorKernels();

  private static float[] gaussian(Random rnd, int n, double sd) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (rnd.nextGaussian() * sd);
    }
    return v;
  }

  @Test
  void quantizeIsIdenticalAndRoundsHalfToEven() {
    Random rnd = new Random(1);
    int rows = 5, cols = 197, ld = 200;
    float[] x = gaussian(rnd, rows * ld, 2);
    // exact ties: with a power-of-two step, (x - offset) / step lands on k + 0.5
    for (int i = 0; i < x.length; i += 7) {
      x[i] = 0.25f * (rnd.nextInt(40) - 20 + 0.5f) + 0.125f;
    }
    float[] inv = new float[cols + 3];
    Arrays.fill(inv, 4f); // step 0.25
    for (int j = 100; j < inv.length; j++) {
      inv[j] = 1 / 0.3f; // a second group with another step
    }
    for (QuantizeArgs q : new QuantizeArgs[] {
        QuantizeArgs.of(4, true, inv, 0.125f), QuantizeArgs.of(4, false, inv, -0.5f), QuantizeArgs.of(8, true, inv, 0f),
        QuantizeArgs.of(2, false, inv, 0f)}) {
      double[] ds = new double[rows * cols];
      double[] dv = new double[rows * cols];
      SCALAR.quantize(x, 3, ld, rows, cols, q, 2, ds, 0, cols);
      VECTOR.quantize(x, 3, ld, rows, cols, q, 2, dv, 0, cols);
      assertArrayEquals(ds, dv);
      for (int r = 0; r < rows; r++) {
        for (int j = 0; j < cols; j++) {
          float v = (x[3 + r * ld + j] - q.offset()) * inv[2 + j]; // float, as specified
          // + 0.0: the kernels may return +0 where rint gives -0; both are the integer 0
          double expected = Math.rint(Math.min(Math.max(v, q.qmin()), q.qmax())) - q.shift() + 0.0;
          assertEquals(expected, ds[r * cols + j], "row " + r + " col " + j + " x " + x[3 + r * ld + j]);
        }
      }
    }
  }

  @Test
  void dequantizeIsIdentical() {
    Random rnd = new Random(2);
    int rows = 7, cols = 99;
    int[] acc = new int[rows * cols];
    for (int i = 0; i < acc.length; i++) {
      acc[i] = rnd.nextInt(200_000) - 100_000;
    }
    float[] scale = gaussian(rnd, cols, 1e-3);
    float[] bias = gaussian(rnd, cols, 1);
    int[] shift = new int[cols];
    for (int j = 0; j < cols; j++) {
      shift[j] = rnd.nextInt(2000) - 1000;
    }
    for (boolean accumulate : new boolean[] {false, true}) {
      float[] s = gaussian(new Random(3), rows * cols, 1);
      float[] v = s.clone();
      SCALAR.dequantize(acc, 0, cols, rows, cols, scale, shift, bias, s, 0, cols, accumulate);
      VECTOR.dequantize(acc, 0, cols, rows, cols, scale, shift, bias, v, 0, cols, accumulate);
      assertArrayEquals(s, v);
      SCALAR.dequantize(acc, 0, cols, rows, cols, scale, null, null, s, 0, cols, accumulate);
      VECTOR.dequantize(acc, 0, cols, rows, cols, scale, null, null, v, 0, cols, accumulate);
      assertArrayEquals(s, v);
      if (!accumulate) {
        assertEquals(scale[5] * (float) acc[cols + 5], v[cols + 5]);
      }
    }
  }

  @Test
  void layerNormMatchesDoublePrecision() {
    Random rnd = new Random(4);
    for (int cols : new int[] {192, 37, 16, 1}) {
      int rows = 4;
      float[] x = gaussian(rnd, rows * cols, 3);
      for (int i = 0; i < x.length; i++) {
        x[i] += 5; // an offset the mean must remove
      }
      float[] g = gaussian(rnd, cols, 1);
      float[] b = gaussian(rnd, cols, 1);
      for (Kernels k : new Kernels[] {SCALAR, VECTOR}) {
        float[] out = new float[rows * cols];
        k.layerNorm(x, 0, cols, rows, cols, g, b, 1e-6f, out, 0, cols, k.newScratch(cols));
        for (int r = 0; r < rows; r++) {
          double mean = 0, var = 0;
          for (int j = 0; j < cols; j++) {
            mean += x[r * cols + j];
          }
          mean /= cols;
          for (int j = 0; j < cols; j++) {
            var += (x[r * cols + j] - mean) * (x[r * cols + j] - mean);
          }
          var /= cols;
          for (int j = 0; j < cols; j++) {
            double e = (x[r * cols + j] - mean) / Math.sqrt(var + 1e-6) * g[j] + b[j];
            assertEquals(e, out[r * cols + j], 2e-5 * (1 + Math.abs(e)), k.name() + " cols " + cols);
          }
        }
      }
    }
  }

  @Test
  void softmaxMatchesDoublePrecision() {
    Random rnd = new Random(5);
    int rows = 3, cols = 197;
    int[] s = new int[rows * cols];
    for (int i = 0; i < s.length; i++) {
      s[i] = rnd.nextInt(1000) - 500;
    }
    s[7] = 40_000; // a dominant score
    float scale = 0.01f;
    for (Kernels k : new Kernels[] {SCALAR, VECTOR}) {
      float[] p = new float[rows * cols];
      k.softmax(s, 0, cols, rows, cols, scale, p, 0, cols);
      for (int r = 0; r < rows; r++) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (int j = 0; j < cols; j++) {
          max = Math.max(max, (double) scale * s[r * cols + j]);
        }
        for (int j = 0; j < cols; j++) {
          sum += Math.exp((double) scale * s[r * cols + j] - max);
        }
        for (int j = 0; j < cols; j++) {
          double e = Math.exp((double) scale * s[r * cols + j] - max) / sum;
          assertEquals(e, p[r * cols + j], 1e-6 * e + 1e-12, k.name() + " row " + r + " col " + j);
        }
      }
    }
  }

  @Test
  void geluVectorLanesEqualTheScalarFunction() {
    Random rnd = new Random(6);
    int cols = 768 + 5;
    float[] x = gaussian(rnd, 2 * cols, 3);
    x[0] = 0f;
    x[1] = -0f;
    x[2] = 20f;
    x[3] = -20f;
    x[4] = 5.6568542f; // z = 4 exactly
    float[] v = x.clone();
    VECTOR.gelu(v, 0, cols, 2, cols, VECTOR.newScratch(cols));
    for (int i = 0; i < x.length; i++) {
      assertEquals(FloatMath.gelu(x[i]), v[i], "gelu(" + x[i] + ")");
    }
    float[] s = x.clone();
    SCALAR.gelu(s, 0, cols, 2, cols, SCALAR.newScratch(cols));
    assertArrayEquals(s, v);
  }

  /** Every fused kernel gives exactly the integers of its two steps run one after the other. */
  @Test
  void fusedKernelsEqualTheirTwoSteps() {
    Random rnd = new Random(8);
    int rows = 5, cols = 197, ld = 201;
    float[] inv = new float[cols + 40];
    for (int j = 0; j < inv.length; j++) {
      inv[j] = j < 100 ? 2.5f : 7f; // two step groups
    }
    for (Kernels k : new Kernels[] {SCALAR, VECTOR}) {
      KernelScratch s = k.newScratch(ld);
      for (QuantizeArgs q : new QuantizeArgs[] {QuantizeArgs.of(4, true, inv, 0.1f), QuantizeArgs.of(4, false, inv, -0.2f),
          QuantizeArgs.of(8, true, inv, 0f)}) {
        // dequantize then quantize, vectors from an offset
        int[] acc = new int[rows * ld];
        for (int i = 0; i < acc.length; i++) {
          acc[i] = rnd.nextInt(4000) - 2000;
        }
        float[] scale = gaussian(rnd, cols + 20, 1e-3);
        float[] bias = gaussian(rnd, cols + 20, 0.5);
        int[] shift = new int[cols + 20];
        for (int j = 0; j < shift.length; j++) {
          shift[j] = rnd.nextInt(100);
        }
        float[] y = new float[rows * cols];
        k.dequantize(acc, 1, ld, rows, cols, java.util.Arrays.copyOfRange(scale, 7, 7 + cols),
            java.util.Arrays.copyOfRange(shift, 7, 7 + cols), java.util.Arrays.copyOfRange(bias, 7, 7 + cols), y, 0, cols,
            false);
        checkFused(k, y, rows, cols, q, 3,
            out -> k.dequantizeThenQuantize(acc, 1, ld, rows, cols, scale, shift, bias, 7, q, 3, out, 0, cols));
        // LayerNorm then quantize
        float[] x = gaussian(rnd, rows * ld, 2);
        float[] g = gaussian(rnd, cols, 1);
        float[] b = gaussian(rnd, cols, 1);
        float[] ln = new float[rows * cols];
        k.layerNorm(x, 2, ld, rows, cols, g, b, 1e-6f, ln, 0, cols, s);
        checkFused(k, ln, rows, cols, q, 0,
            out -> k.layerNormThenQuantize(x, 2, ld, rows, cols, g, b, 1e-6f, q, 0, out, 0, cols, s));
        // softmax then quantize (unsigned probabilities)
        float[] invP = new float[cols];
        java.util.Arrays.fill(invP, 300f); // steps of 1/300: probabilities near 1/197 land on 1 or 2
        QuantizeArgs qp = QuantizeArgs.of(4, false, invP, 0f);
        float[] p = new float[rows * cols];
        k.softmax(acc, 1, ld, rows, cols, 0.003f, p, 0, cols);
        checkFused(k, p, rows, cols, qp, 0, out -> k.softmaxThenQuantize(acc, 1, ld, rows, cols, 0.003f, qp, out, 0, cols, s));
        // a tiny scale: padded lanes of the last partial vector would weigh in if not taken back out
        float[] near = new float[rows * cols];
        k.softmax(acc, 1, ld, rows, cols, 1e-9f, near, 0, cols);
        for (float v : near) {
          assertEquals(1.0 / cols, v, 1e-6);
        }
        double[] uniform = new double[rows * cols];
        k.softmaxThenQuantize(acc, 1, ld, rows, cols, 1e-9f, qp, uniform, 0, cols, s);
        for (double v : uniform) {
          assertEquals(Math.rint(300.0 / cols) - qp.shift(), v, 0.0);
        }
        // GELU then quantize; x itself stays unchanged
        float[] before = x.clone();
        float[] gx = x.clone();
        k.gelu(gx, 2, ld, rows, cols, s);
        float[] gl = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
          System.arraycopy(gx, 2 + r * ld, gl, r * cols, cols);
        }
        checkFused(k, gl, rows, cols, q, 1, out -> k.geluThenQuantize(x, 2, ld, rows, cols, q, 1, out, 0, cols, s));
        assertArrayEquals(before, x);
      }
    }
  }

  private static void checkFused(Kernels k, float[] y, int rows, int cols, QuantizeArgs q, int qCol,
      java.util.function.Consumer<double[]> fused) {
    double[] twoSteps = new double[rows * cols];
    k.quantize(y, 0, cols, rows, cols, q, qCol, twoSteps, 0, cols);
    double[] out = new double[rows * cols];
    fused.accept(out);
    assertArrayEquals(twoSteps, out, k.name());
    boolean varied = false;
    for (double v : out) {
      varied |= v != out[0];
    }
    assertEquals(true, varied, "a quantized output that is constant tests nothing");
  }
}
