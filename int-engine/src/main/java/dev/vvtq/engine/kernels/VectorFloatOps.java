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

  /**
   * Quantization into doubles ({@code outD}) or floats ({@code outF}, when {@code outD} is null). One
   * method for both on purpose: at this size C2 compiles it on its own instead of inlining it into the
   * large forward-pass methods, where an exhausted inlining budget would leave its vector calls boxed.
   */
  static void quantize(float[] x, int xOff, int ldx, int rows, int cols, QuantizeArgs q, int qCol,
      double[] outD, float[] outF, int outOff, int ldo) {
    if (rows < 0 || cols < 0 || qCol < 0 || qCol + cols > q.inverseStep().length) {
      throw new IllegalArgumentException("quantize " + rows + "x" + cols + " from column " + qCol + " with "
          + q.inverseStep().length + " steps");
    }
    FloatVector off = FloatVector.broadcast(F, q.offset());
    FloatVector lo = FloatVector.broadcast(F, q.qmin());
    FloatVector hi = FloatVector.broadcast(F, q.qmax());
    FloatVector shift = FloatVector.broadcast(F, q.shift());
    float[] inv = q.inverseStep();
    int whole = cols - cols % FL;
    for (int r = 0; r < rows; r++) {
      int xo = xOff + r * ldx;
      int oo = outOff + r * ldo;
      if (outD != null) {
        for (int j = 0; j < whole; j += FL) {
          FloatVector v = FloatVector.fromArray(F, x, xo + j).sub(off).mul(FloatVector.fromArray(F, inv, qCol + j));
          v = v.max(lo).min(hi).add(MAGIC_V).sub(MAGIC_V).sub(shift);
          // a float vector widens to exactly two double vectors (constant parts: the intrinsic needs them)
          ((DoubleVector) v.convertShape(VectorOperators.F2D, D, 0)).intoArray(outD, oo + j);
          ((DoubleVector) v.convertShape(VectorOperators.F2D, D, 1)).intoArray(outD, oo + j + DL);
        }
        for (int j = whole; j < cols; j++) {
          outD[oo + j] = quantizeOne(x[xo + j], q.offset(), inv[qCol + j], q.qmin(), q.qmax(), q.shift());
        }
      } else {
        for (int j = 0; j < whole; j += FL) {
          FloatVector v = FloatVector.fromArray(F, x, xo + j).sub(off).mul(FloatVector.fromArray(F, inv, qCol + j));
          v.max(lo).min(hi).add(MAGIC_V).sub(MAGIC_V).sub(shift).intoArray(outF, oo + j);
        }
        for (int j = whole; j < cols; j++) {
          outF[oo + j] = quantizeOne(x[xo + j], q.offset(), inv[qCol + j], q.qmin(), q.qmax(), q.shift());
        }
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
    FloatVector p0 = P[0], p1 = P[1], p2 = P[2], p3 = P[3], p4 = P[4], p5 = P[5];
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
      FloatVector scaleV = FloatVector.broadcast(F, scale);
      FloatVector maxV = FloatVector.broadcast(F, max);
      FloatVector sum = FloatVector.zero(F);
      for (int j = 0; j < whole; j += FL) {
        FloatVector x = ((FloatVector) IntVector.fromArray(I, s, so + j).convert(VectorOperators.I2F, 0))
            .mul(scaleV).sub(maxV);
        // exp, as FloatMath.exp; the argument is at most 0, so only the lower clamp can act
        x = x.max(EXP_LO_V);
        FloatVector nm = x.fma(LOG2E_V, MAGIC_V);
        FloatVector n = nm.sub(MAGIC_V);
        FloatVector t = n.fma(NEG_LN2_LO_V, n.fma(NEG_LN2_HI_V, x));
        FloatVector y = p5.fma(t, p4).fma(t, p3).fma(t, p2).fma(t, p1).fma(t, p0).fma(t.mul(t), t).add(ONE_V);
        // 2^n from the bits of n + 1.5 * 2^23 (JDK 17 does not compile float-to-int conversions)
        FloatVector pow2 = nm.reinterpretAsInts().add(EXP_BIAS_V).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
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
      FloatVector inv = FloatVector.broadcast(F, 1f / total);
      for (int j = 0; j < whole; j += FL) {
        FloatVector.fromArray(F, out, oo + j).mul(inv).intoArray(out, oo + j);
      }
      for (int j = whole; j < cols; j++) {
        out[oo + j] *= 1f / total;
      }
    }
  }

  // ---- GELU ----------------------------------------------------------------------------------

  // Constant vectors instead of scalar operands: each scalar operand is one more broadcast call for
  // C2 to inline, and a kernel with too many calls exhausts the inlining budget (then the calls left
  // over box their vectors). GELU is the largest kernel: keep its call count down.
  private static final FloatVector INV_SQRT2_V = FloatVector.broadcast(F, FloatMath.INV_SQRT2);
  private static final FloatVector ERFC_MAX_V = FloatVector.broadcast(F, FloatMath.ERFC_MAX);
  private static final FloatVector ZERO_V = FloatVector.zero(F);
  private static final FloatVector HALF_V = FloatVector.broadcast(F, 0.5f);
  private static final FloatVector ONE_V = FloatVector.broadcast(F, 1f);
  private static final FloatVector TWO_V = FloatVector.broadcast(F, 2f);
  private static final FloatVector[] U = {
    FloatVector.broadcast(F, FloatMath.U0), FloatVector.broadcast(F, FloatMath.U1),
    FloatVector.broadcast(F, FloatMath.U2), FloatVector.broadcast(F, FloatMath.U3),
    FloatVector.broadcast(F, FloatMath.U4), FloatVector.broadcast(F, FloatMath.U5),
    FloatVector.broadcast(F, FloatMath.U6), FloatVector.broadcast(F, FloatMath.U7),
    FloatVector.broadcast(F, FloatMath.U8), FloatVector.broadcast(F, FloatMath.U9),
    FloatVector.broadcast(F, FloatMath.U10), FloatVector.broadcast(F, FloatMath.U11)
  };
  private static final FloatVector EXP_LO_V = FloatVector.broadcast(F, EXP_LO);
  private static final FloatVector EXP_HI_V = FloatVector.broadcast(F, EXP_HI);
  private static final FloatVector LOG2E_V = FloatVector.broadcast(F, LOG2E);
  private static final FloatVector MAGIC_V = FloatVector.broadcast(F, ROUND_MAGIC);
  private static final FloatVector NEG_LN2_HI_V = FloatVector.broadcast(F, -LN2_HI);
  private static final FloatVector NEG_LN2_LO_V = FloatVector.broadcast(F, -LN2_LO);
  private static final FloatVector[] P = {
    FloatVector.broadcast(F, EXP_P0), FloatVector.broadcast(F, EXP_P1), FloatVector.broadcast(F, EXP_P2),
    FloatVector.broadcast(F, EXP_P3), FloatVector.broadcast(F, EXP_P4), FloatVector.broadcast(F, EXP_P5)
  };
  private static final IntVector EXP_BIAS_V = IntVector.broadcast(I, 127 - FloatMath.ROUND_MAGIC_BITS);

  /**
   * GELU in two stages per row, each compiled on its own: written as one loop it exceeds C2's
   * inlining budget on JDK 17, and the vector calls left over box their vectors. {@code erfc} is a
   * scratch row of at least {@code cols} floats.
   */
  static void gelu(float[] x, int off, int ld, int rows, int cols, float[] erfc) {
    if (erfc.length < cols) {
      throw new IllegalArgumentException("GELU scratch of " + erfc.length + " floats for rows of " + cols);
    }
    for (int r = 0; r < rows; r++) {
      geluErfc(x, off + r * ld, cols, erfc);
      geluApply(x, off + r * ld, cols, erfc);
    }
  }

  /** erfc(min(|x| / sqrt 2, 4)) of one row, as FloatMath.erfcNonNegative. */
  private static void geluErfc(float[] x, int xo, int cols, float[] erfc) {
    int whole = cols - cols % FL;
    FloatVector u0 = U[0], u1 = U[1], u2 = U[2], u3 = U[3], u4 = U[4], u5 = U[5];
    FloatVector u6 = U[6], u7 = U[7], u8 = U[8], u9 = U[9], u10 = U[10], u11 = U[11];
    FloatVector p0 = P[0], p1 = P[1], p2 = P[2], p3 = P[3], p4 = P[4], p5 = P[5];
    for (int j = 0; j < whole; j += FL) {
      FloatVector ac = FloatVector.fromArray(F, x, xo + j).mul(INV_SQRT2_V).abs().min(ERFC_MAX_V);
      FloatVector t = ac.sub(TWO_V);
      FloatVector u = u11.fma(t, u10).fma(t, u9).fma(t, u8).fma(t, u7).fma(t, u6).fma(t, u5).fma(t, u4)
          .fma(t, u3).fma(t, u2).fma(t, u1).fma(t, u0);
      // exp of -a^2 + U, in [-17, 0]: none of exp's clamps can act
      FloatVector e = ac.neg().fma(ac, u);
      FloatVector nm = e.fma(LOG2E_V, MAGIC_V);
      FloatVector n = nm.sub(MAGIC_V);
      FloatVector rr = n.fma(NEG_LN2_LO_V, n.fma(NEG_LN2_HI_V, e));
      FloatVector y = p5.fma(rr, p4).fma(rr, p3).fma(rr, p2).fma(rr, p1).fma(rr, p0).fma(rr.mul(rr), rr).add(ONE_V);
      // 2^n from the bits of n + 1.5 * 2^23 (JDK 17 does not compile float-to-int conversions)
      y.mul(nm.reinterpretAsInts().add(EXP_BIAS_V).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
          .intoArray(erfc, j);
    }
    for (int j = whole; j < cols; j++) {
      erfc[j] = FloatMath.erfcNonNegative(Math.abs(x[xo + j] * FloatMath.INV_SQRT2));
    }
  }

  /**
   * {@code 0.5 x (1 + erf(x / sqrt 2))} from the row's erfc, as FloatMath.gelu: 1 + erf is 2 - erfc for
   * x >= 0, erfc for x < 0 and 0 below -4 sqrt 2. Selection by sign-bit masks rather than compare and
   * blend, whose mask vectors are slow on JDK 17.
   */
  private static void geluApply(float[] x, int xo, int cols, float[] erfc) {
    int whole = cols - cols % FL;
    for (int j = 0; j < whole; j += FL) {
      FloatVector v = FloatVector.fromArray(F, x, xo + j);
      FloatVector e = FloatVector.fromArray(F, erfc, j);
      FloatVector z = v.mul(INV_SQRT2_V);
      IntVector below = z.abs().sub(ERFC_MAX_V).reinterpretAsInts().lanewise(VectorOperators.ASHR, 31);
      IntVector neg = e.reinterpretAsInts().and(below);
      IntVector pos = TWO_V.sub(e).reinterpretAsInts();
      IntVector sign = z.reinterpretAsInts().lanewise(VectorOperators.ASHR, 31);
      FloatVector phi2 = pos.lanewise(VectorOperators.XOR, pos.lanewise(VectorOperators.XOR, neg).and(sign))
          .reinterpretAsFloats();
      HALF_V.mul(v).mul(phi2).intoArray(x, xo + j);
    }
    for (int j = whole; j < cols; j++) {
      x[xo + j] = FloatMath.gelu(x[xo + j]);
    }
  }
}
