package dev.vvtq.engine.kernels;

import static dev.vvtq.engine.kernels.FloatMath.EXP_HI;
import static dev.vvtq.engine.kernels.FloatMath.EXP_LO;
import static dev.vvtq.engine.kernels.FloatMath.EXP_P0;
import static dev.vvtq.engine.kernels.FloatMath.EXP_P1;
import static dev.vvtq.engine.kernels.FloatMath.EXP_P2;
import static dev.vvtq.engine.kernels.FloatMath.EXP_P3;
import static dev.vvtq.engine.kernels.FloatMath.EXP_P4;
import static dev.vvtq.engine.kernels.FloatMath.EXP_P5;
import static dev.vvtq.engine.kernels.FloatMath.LN2_HI;
import static dev.vvtq.engine.kernels.FloatMath.LN2_LO;
import static dev.vvtq.engine.kernels.FloatMath.LOG2E;
import static dev.vvtq.engine.kernels.FloatMath.ROUND_MAGIC;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float parts of the forward pass, vectorised. Each loop runs whole vectors then a scalar tail
 * that performs the same operations as a lane (see {@link FloatMath}), so results do not depend on
 * where a row starts or how long it is. exp and erfc are written out inline: a helper taking vectors
 * can miss inlining and box every vector.
 */
final class VectorFloatOps {
  private VectorFloatOps() {}

  static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  static final int FL = F.length();
  static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
  static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
  static final int DL = D.length();
  private static final int[] ZERO_INTS = new int[FL];
  private static final float[] ZERO_FLOATS = new float[FL];

  // ---- quantization ----------------------------------------------------------------------------

  private static float quantizeOne(float x, float offset, float inv, float qmin, float qmax, float shift) {
    float v = (x - offset) * inv;
    v = Math.min(Math.max(v, qmin), qmax);
    return ((v + ROUND_MAGIC) - ROUND_MAGIC) - shift;
  }

  static void quantize(float[] x, int xOff, int ldx, int rows, int cols, QuantizeArgs q, int qCol,
      double[] out, int outOff, int ldo) {
    float off = q.offset();
    float lo = q.qmin();
    float hi = q.qmax();
    float shift = q.shift();
    float[] inv = q.inverseStep();
    int whole = cols - cols % FL;
    for (int r = 0; r < rows; r++) {
      int xo = xOff + r * ldx;
      int oo = outOff + r * ldo;
      for (int j = 0; j < whole; j += FL) {
        FloatVector v = FloatVector.fromArray(F, x, xo + j).sub(off).mul(FloatVector.fromArray(F, inv, qCol + j));
        v = v.max(lo).min(hi).add(ROUND_MAGIC).sub(ROUND_MAGIC).sub(shift);
        // a float vector widens to exactly two double vectors (constant parts: the intrinsic needs them)
        ((DoubleVector) v.convertShape(VectorOperators.F2D, D, 0)).intoArray(out, oo + j);
        ((DoubleVector) v.convertShape(VectorOperators.F2D, D, 1)).intoArray(out, oo + j + DL);
      }
      for (int j = whole; j < cols; j++) {
        out[oo + j] = quantizeOne(x[xo + j], off, inv[qCol + j], lo, hi, shift);
      }
    }
  }

  static void quantize(float[] x, int xOff, int ldx, int rows, int cols, QuantizeArgs q, int qCol,
      float[] out, int outOff, int ldo) {
    float off = q.offset();
    float lo = q.qmin();
    float hi = q.qmax();
    float shift = q.shift();
    float[] inv = q.inverseStep();
    int whole = cols - cols % FL;
    for (int r = 0; r < rows; r++) {
      int xo = xOff + r * ldx;
      int oo = outOff + r * ldo;
      for (int j = 0; j < whole; j += FL) {
        FloatVector v = FloatVector.fromArray(F, x, xo + j).sub(off).mul(FloatVector.fromArray(F, inv, qCol + j));
        v.max(lo).min(hi).add(ROUND_MAGIC).sub(ROUND_MAGIC).sub(shift).intoArray(out, oo + j);
      }
      for (int j = whole; j < cols; j++) {
        out[oo + j] = quantizeOne(x[xo + j], off, inv[qCol + j], lo, hi, shift);
      }
    }
  }

  // ---- dequantization --------------------------------------------------------------------------

  static void dequantize(int[] acc, int accOff, int ldAcc, int rows, int cols, float[] scale, int[] shiftRowSum,
      float[] bias, float[] out, int outOff, int ldo, boolean accumulate) {
    int whole = cols - cols % FL;
    // absent vectors read a zero array rather than choosing between vectors (a vector phi can box)
    int[] sums = shiftRowSum == null ? ZERO_INTS : shiftRowSum;
    float[] offsets = bias == null ? ZERO_FLOATS : bias;
    int step = shiftRowSum == null ? 0 : 1;
    int stepB = bias == null ? 0 : 1;
    for (int r = 0; r < rows; r++) {
      int ao = accOff + r * ldAcc;
      int oo = outOff + r * ldo;
      for (int j = 0; j < whole; j += FL) {
        IntVector s = IntVector.fromArray(I, sums, j * step);
        FloatVector b = FloatVector.fromArray(F, offsets, j * stepB);
        FloatVector v = (FloatVector) IntVector.fromArray(I, acc, ao + j).add(s).convert(VectorOperators.I2F, 0);
        FloatVector y = FloatVector.fromArray(F, scale, j).fma(v, b);
        if (accumulate) {
          y.add(FloatVector.fromArray(F, out, oo + j)).intoArray(out, oo + j);
        } else {
          y.intoArray(out, oo + j);
        }
      }
      for (int j = whole; j < cols; j++) {
        int v = acc[ao + j] + (shiftRowSum == null ? 0 : shiftRowSum[j]);
        float y = Math.fma(scale[j], (float) v, bias == null ? 0f : bias[j]);
        out[oo + j] = accumulate ? out[oo + j] + y : y;
      }
    }
  }

  // ---- LayerNorm -------------------------------------------------------------------------------

  static void layerNorm(float[] x, int xOff, int ldx, int rows, int cols, float[] gamma, float[] beta, float eps,
      float[] out, int outOff, int ldo) {
    int whole = cols - cols % FL;
    for (int r = 0; r < rows; r++) {
      int xo = xOff + r * ldx;
      int oo = outOff + r * ldo;
      FloatVector acc = FloatVector.zero(F);
      for (int j = 0; j < whole; j += FL) {
        acc = acc.add(FloatVector.fromArray(F, x, xo + j));
      }
      float sum = acc.reduceLanes(VectorOperators.ADD);
      for (int j = whole; j < cols; j++) {
        sum += x[xo + j];
      }
      float mean = sum / cols;
      FloatVector sq = FloatVector.zero(F);
      for (int j = 0; j < whole; j += FL) {
        FloatVector d = FloatVector.fromArray(F, x, xo + j).sub(mean);
        sq = d.fma(d, sq);
      }
      float var = sq.reduceLanes(VectorOperators.ADD);
      for (int j = whole; j < cols; j++) {
        float d = x[xo + j] - mean;
        var = Math.fma(d, d, var);
      }
      float inv = (float) (1.0 / Math.sqrt(var / cols + eps));
      for (int j = 0; j < whole; j += FL) {
        FloatVector.fromArray(F, x, xo + j).sub(mean).mul(inv)
            .fma(FloatVector.fromArray(F, gamma, j), FloatVector.fromArray(F, beta, j))
            .intoArray(out, oo + j);
      }
      for (int j = whole; j < cols; j++) {
        out[oo + j] = Math.fma((x[xo + j] - mean) * inv, gamma[j], beta[j]);
      }
    }
  }

  // ---- softmax ---------------------------------------------------------------------------------

  static void softmax(int[] s, int sOff, int lds, int rows, int cols, float scale, float[] out, int outOff, int ldo) {
    int whole = cols - cols % FL;
    for (int r = 0; r < rows; r++) {
      int so = sOff + r * lds;
      int oo = outOff + r * ldo;
      IntVector mx = IntVector.broadcast(I, Integer.MIN_VALUE);
      for (int j = 0; j < whole; j += FL) {
        mx = mx.max(IntVector.fromArray(I, s, so + j));
      }
      int imax = mx.reduceLanes(VectorOperators.MAX);
      for (int j = whole; j < cols; j++) {
        imax = Math.max(imax, s[so + j]);
      }
      // scale > 0, so the largest score is the largest integer: max needs no float pass.
      float max = scale * imax;
      FloatVector sum = FloatVector.zero(F);
      for (int j = 0; j < whole; j += FL) {
        FloatVector x = ((FloatVector) IntVector.fromArray(I, s, so + j).convert(VectorOperators.I2F, 0))
            .mul(scale).sub(max);
        // exp, as FloatMath.exp
        x = x.max(EXP_LO).min(EXP_HI);
        FloatVector nm = x.mul(LOG2E).add(ROUND_MAGIC);
        FloatVector n = nm.sub(ROUND_MAGIC);
        FloatVector t = n.fma(FloatVector.broadcast(F, -LN2_HI), x);
        t = n.fma(FloatVector.broadcast(F, -LN2_LO), t);
        FloatVector p = FloatVector.broadcast(F, EXP_P5).fma(t, FloatVector.broadcast(F, EXP_P4));
        p = p.fma(t, FloatVector.broadcast(F, EXP_P3));
        p = p.fma(t, FloatVector.broadcast(F, EXP_P2));
        p = p.fma(t, FloatVector.broadcast(F, EXP_P1));
        p = p.fma(t, FloatVector.broadcast(F, EXP_P0));
        FloatVector y = p.fma(t.mul(t), t).add(1f);
        // 2^n from the bits of n + 1.5 * 2^23 (JDK 17 does not compile float-to-int conversions)
        FloatVector pow2 = nm.reinterpretAsInts().add(127 - FloatMath.ROUND_MAGIC_BITS)
            .lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector e = y.mul(pow2);
        e.intoArray(out, oo + j);
        sum = sum.add(e);
      }
      float total = sum.reduceLanes(VectorOperators.ADD);
      for (int j = whole; j < cols; j++) {
        float e = FloatMath.exp(scale * s[so + j] - max);
        out[oo + j] = e;
        total += e;
      }
      float inv = 1f / total;
      for (int j = 0; j < whole; j += FL) {
        FloatVector.fromArray(F, out, oo + j).mul(inv).intoArray(out, oo + j);
      }
      for (int j = whole; j < cols; j++) {
        out[oo + j] *= inv;
      }
    }
  }

  // ---- GELU ------------------------------------------------------------------------------------

  static void gelu(float[] x, int off, int ld, int rows, int cols) {
    int whole = cols - cols % FL;
    for (int r = 0; r < rows; r++) {
      int xo = off + r * ld;
      for (int j = 0; j < whole; j += FL) {
        FloatVector v = FloatVector.fromArray(F, x, xo + j);
        FloatVector z = v.mul(FloatMath.INV_SQRT2);
        FloatVector a = z.abs();
        VectorMask<Float> beyond = a.compare(VectorOperators.GE, FloatMath.ERFC_MAX);
        VectorMask<Float> negative = z.compare(VectorOperators.LT, 0f);
        a = a.min(FloatMath.ERFC_MAX);
        // erfc(a) = exp(-a^2 + U(a - 2)), as FloatMath.erfcNonNegative
        FloatVector t = a.sub(2f);
        FloatVector u = FloatVector.broadcast(F, FloatMath.U11).fma(t, FloatVector.broadcast(F, FloatMath.U10));
        u = u.fma(t, FloatVector.broadcast(F, FloatMath.U9));
        u = u.fma(t, FloatVector.broadcast(F, FloatMath.U8));
        u = u.fma(t, FloatVector.broadcast(F, FloatMath.U7));
        u = u.fma(t, FloatVector.broadcast(F, FloatMath.U6));
        u = u.fma(t, FloatVector.broadcast(F, FloatMath.U5));
        u = u.fma(t, FloatVector.broadcast(F, FloatMath.U4));
        u = u.fma(t, FloatVector.broadcast(F, FloatMath.U3));
        u = u.fma(t, FloatVector.broadcast(F, FloatMath.U2));
        u = u.fma(t, FloatVector.broadcast(F, FloatMath.U1));
        u = u.fma(t, FloatVector.broadcast(F, FloatMath.U0));
        FloatVector e = a.neg().fma(a, u);
        // exp, as FloatMath.exp
        e = e.max(EXP_LO).min(EXP_HI);
        FloatVector nm = e.mul(LOG2E).add(ROUND_MAGIC);
        FloatVector n = nm.sub(ROUND_MAGIC);
        FloatVector rr = n.fma(FloatVector.broadcast(F, -LN2_HI), e);
        rr = n.fma(FloatVector.broadcast(F, -LN2_LO), rr);
        FloatVector p = FloatVector.broadcast(F, EXP_P5).fma(rr, FloatVector.broadcast(F, EXP_P4));
        p = p.fma(rr, FloatVector.broadcast(F, EXP_P3));
        p = p.fma(rr, FloatVector.broadcast(F, EXP_P2));
        p = p.fma(rr, FloatVector.broadcast(F, EXP_P1));
        p = p.fma(rr, FloatVector.broadcast(F, EXP_P0));
        FloatVector y = p.fma(rr.mul(rr), rr).add(1f);
        // 2^n from the bits of n + 1.5 * 2^23 (JDK 17 does not compile float-to-int conversions)
        FloatVector pow2 = nm.reinterpretAsInts().add(127 - FloatMath.ROUND_MAGIC_BITS)
            .lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector erfc = y.mul(pow2).blend(0f, beyond);
        FloatVector phi2 = FloatVector.broadcast(F, 2f).sub(erfc).blend(erfc, negative);
        FloatVector.broadcast(F, 0.5f).mul(v).mul(phi2).intoArray(x, xo + j);
      }
      for (int j = whole; j < cols; j++) {
        x[xo + j] = FloatMath.gelu(x[xo + j]);
      }
    }
  }
}
