package dev.vvtq.engine.kernels;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float parts of the forward pass, vectorised. Each loop runs whole vectors then a scalar tail
 * that performs the same operations as a lane (see {@link FloatMath}), so results do not depend on
 * where a row starts or how long it is, and a fused "...ThenQuantize" kernel gives exactly the
 * integers of its two steps run one after the other.
 *
 * <p>Written for JDK 17's C2: every compiled method keeps its inlined Vector API code under the
 * inlining budget (beyond it, the calls left over keep their vectors boxed, about ten times slower):
 * constant vectors instead of scalar operands, exp and erfc written out once, GELU and softmax in
 * per-row stages. Methods taking or returning vectors are avoided altogether.
 *
 * <p>A vector carried round a loop is never the receiver of a call inside that loop ({@code
 * acc = loaded.add(acc)}, not {@code acc = acc.add(loaded)}). When C2 parses the loop, the carried
 * value has only its declared type, {@code IntVector}, which has a subclass per shape, so the call
 * inlines only if the receiver-type profile at that call site is mature. Where it is not (seen with
 * {@code -Xbatch}, {@code -XX:-TieredCompilation} and now and then on a CI machine), the call stays
 * virtual and boxes its vectors on every pass: a warm 16x16 test model allocated 10 KiB a pass. A
 * freshly loaded vector has its exact class, so the call always inlines. (With
 * {@code -XX:-TieredCompilation} a warm pass still allocates 8 KiB, in {@code convertShape(F2D, D, 1)}
 * of {@link #geluApply}, whose iota shuffle then runs its Java fallback; the default tiered JIT, which
 * the services run, has not shown it.)
 *
 * <p>Float sums across lanes never use {@code FloatVector.reduceLanes(ADD)}: its order of additions is
 * unspecified ("may even vary over time"), and it does vary. The interpreter, C1 and JDK 17's C2 add
 * the lanes in order; since JDK 24 (JDK-8337062), C2 on x86 adds them in a halving tree. The same
 * softmax row then gets a total one ulp apart before and after C2 compiles the kernel, and a quantized
 * probability on the edge of a rounding step flips (JDK 25: deit_tiny logits 5 % off after one pass).
 * The lanes are spilled and added in lane order instead ({@link #sumInLaneOrder}): the same bits on
 * every JDK and tier, those of JDK 17.
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
  // Constants are broadcast into locals before each loop, not kept in static final vectors: C2 reloads
  // a static vector's float[] payload after every store to a float[] in the loop.
  private static final float MAGIC = FloatMath.ROUND_MAGIC;

  /**
   * {@code 0 + lanes[0] + lanes[1] + ... + lanes[FL - 1]}, in that order: the lanes of a float vector
   * spilled with {@code intoArray(lanes, 0)}. A fixed order, unlike {@code reduceLanes(ADD)} (see the
   * class comment).
   */
  static float sumInLaneOrder(float[] lanes) {
    float sum = 0f;
    for (int i = 0; i < FL; i++) {
      sum += lanes[i];
    }
    return sum;
  }

  // ---- quantization ----------------------------------------------------------------------------

  /** One value as a lane computes it: (M + rint(v)) - (M + shift) is rint(v) - shift exactly. */
  static float quantizeOne(float x, QuantizeArgs q, float inv) {
    float v = (x - q.offset()) * inv;
    v = Math.min(Math.max(v, q.qmin()), q.qmax());
    return (v + FloatMath.ROUND_MAGIC) - (FloatMath.ROUND_MAGIC + q.shift());
  }

  private static void checkQuantizer(QuantizeArgs q, int qCol, int cols) {
    if (qCol < 0 || cols < 0 || qCol + cols > q.inverseStep().length) {
      throw new IllegalArgumentException(
          "quantizer columns [" + qCol + ", " + (qCol + cols) + ") outside its " + q.inverseStep().length + " steps");
    }
  }

  static void quantize(float[] x, int xOff, int ldx, int rows, int cols, QuantizeArgs q, int qCol, double[] out,
      int outOff, int ldo) {
    checkQuantizer(q, qCol, cols);
    FloatVector off = FloatVector.broadcast(F, q.offset());
    FloatVector lo = FloatVector.broadcast(F, q.qmin());
    FloatVector hi = FloatVector.broadcast(F, q.qmax());
    FloatVector unshift = FloatVector.broadcast(F, FloatMath.ROUND_MAGIC + q.shift());
    FloatVector magic = FloatVector.broadcast(F, MAGIC);
    float[] inv = q.inverseStep();
    int whole = cols - cols % FL;
    for (int r = 0; r < rows; r++) {
      int xo = xOff + r * ldx;
      int oo = outOff + r * ldo;
      for (int j = 0; j < whole; j += FL) {
        FloatVector v = FloatVector.fromArray(F, x, xo + j).sub(off).mul(FloatVector.fromArray(F, inv, qCol + j))
            .max(lo).min(hi).add(magic).sub(unshift);
        // a float vector widens to exactly two double vectors (constant parts: the intrinsic needs them)
        ((DoubleVector) v.convertShape(VectorOperators.F2D, D, 0)).intoArray(out, oo + j);
        ((DoubleVector) v.convertShape(VectorOperators.F2D, D, 1)).intoArray(out, oo + j + DL);
      }
      for (int j = whole; j < cols; j++) {
        out[oo + j] = quantizeOne(x[xo + j], q, inv[qCol + j]);
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
        FloatVector v = (FloatVector) IntVector.fromArray(I, acc, ao + j).add(IntVector.fromArray(I, sums, j * step))
            .convert(VectorOperators.I2F, 0);
        FloatVector y = FloatVector.fromArray(F, scale, j).fma(v, FloatVector.fromArray(F, offsets, j * stepB));
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

  /** Dequantization (vectors from {@code vecOff}) straight into the next quantizer. */
  static void dequantizeThenQuantize(int[] acc, int accOff, int ldAcc, int rows, int cols, float[] scale,
      int[] shiftRowSum, float[] bias, int vecOff, QuantizeArgs q, int qCol, double[] out, int outOff, int ldo) {
    checkQuantizer(q, qCol, cols);
    int whole = cols - cols % FL;
    int[] sums = shiftRowSum == null ? ZERO_INTS : shiftRowSum;
    float[] offsets = bias == null ? ZERO_FLOATS : bias;
    int sumOff = shiftRowSum == null ? 0 : vecOff;
    int biasOff = bias == null ? 0 : vecOff;
    int step = shiftRowSum == null ? 0 : 1;
    int stepB = bias == null ? 0 : 1;
    FloatVector off = FloatVector.broadcast(F, q.offset());
    FloatVector lo = FloatVector.broadcast(F, q.qmin());
    FloatVector hi = FloatVector.broadcast(F, q.qmax());
    FloatVector unshift = FloatVector.broadcast(F, FloatMath.ROUND_MAGIC + q.shift());
    FloatVector magic = FloatVector.broadcast(F, MAGIC);
    float[] inv = q.inverseStep();
    for (int r = 0; r < rows; r++) {
      int ao = accOff + r * ldAcc;
      int oo = outOff + r * ldo;
      for (int j = 0; j < whole; j += FL) {
        FloatVector v = (FloatVector) IntVector.fromArray(I, acc, ao + j)
            .add(IntVector.fromArray(I, sums, sumOff + j * step)).convert(VectorOperators.I2F, 0);
        FloatVector y = FloatVector.fromArray(F, scale, vecOff + j).fma(v, FloatVector.fromArray(F, offsets, biasOff + j * stepB));
        y = y.sub(off).mul(FloatVector.fromArray(F, inv, qCol + j)).max(lo).min(hi).add(magic).sub(unshift);
        ((DoubleVector) y.convertShape(VectorOperators.F2D, D, 0)).intoArray(out, oo + j);
        ((DoubleVector) y.convertShape(VectorOperators.F2D, D, 1)).intoArray(out, oo + j + DL);
      }
      for (int j = whole; j < cols; j++) {
        int v = acc[ao + j] + (shiftRowSum == null ? 0 : shiftRowSum[vecOff + j]);
        float y = Math.fma(scale[vecOff + j], (float) v, bias == null ? 0f : bias[vecOff + j]);
        out[oo + j] = quantizeOne(y, q, inv[qCol + j]);
      }
    }
  }

  // ---- LayerNorm -------------------------------------------------------------------------------

  /** Mean and 1 / sqrt(var + eps) of a row, into {@code stats[0..1]}; {@code lanes} holds one vector. */
  private static void rowStats(float[] x, int xo, int cols, float eps, float[] stats, float[] lanes) {
    int whole = cols - cols % FL;
    FloatVector acc = FloatVector.zero(F);
    for (int j = 0; j < whole; j += FL) {
      acc = FloatVector.fromArray(F, x, xo + j).add(acc); // loaded vector first: see the class comment
    }
    acc.intoArray(lanes, 0);
    float sum = sumInLaneOrder(lanes);
    for (int j = whole; j < cols; j++) {
      sum += x[xo + j];
    }
    float mean = sum / cols;
    FloatVector mv = FloatVector.broadcast(F, mean);
    FloatVector sq = FloatVector.zero(F);
    for (int j = 0; j < whole; j += FL) {
      FloatVector d = FloatVector.fromArray(F, x, xo + j).sub(mv);
      sq = d.fma(d, sq);
    }
    sq.intoArray(lanes, 0);
    float var = sumInLaneOrder(lanes);
    for (int j = whole; j < cols; j++) {
      float d = x[xo + j] - mean;
      var = Math.fma(d, d, var);
    }
    stats[0] = mean;
    stats[1] = (float) (1.0 / Math.sqrt(var / cols + eps));
  }

  static void layerNorm(float[] x, int xOff, int ldx, int rows, int cols, float[] gamma, float[] beta, float eps,
      float[] out, int outOff, int ldo, float[] stats, float[] lanes) {
    int whole = cols - cols % FL;
    for (int r = 0; r < rows; r++) {
      int xo = xOff + r * ldx;
      int oo = outOff + r * ldo;
      rowStats(x, xo, cols, eps, stats, lanes);
      float mean = stats[0];
      float inv = stats[1];
      FloatVector mv = FloatVector.broadcast(F, mean);
      FloatVector iv = FloatVector.broadcast(F, inv);
      for (int j = 0; j < whole; j += FL) {
        FloatVector.fromArray(F, x, xo + j).sub(mv).mul(iv)
            .fma(FloatVector.fromArray(F, gamma, j), FloatVector.fromArray(F, beta, j))
            .intoArray(out, oo + j);
      }
      for (int j = whole; j < cols; j++) {
        out[oo + j] = Math.fma((x[xo + j] - mean) * inv, gamma[j], beta[j]);
      }
    }
  }

  static void layerNormThenQuantize(float[] x, int xOff, int ldx, int rows, int cols, float[] gamma, float[] beta,
      float eps, QuantizeArgs q, int qCol, double[] out, int outOff, int ldo, float[] stats, float[] lanes) {
    checkQuantizer(q, qCol, cols);
    int whole = cols - cols % FL;
    FloatVector off = FloatVector.broadcast(F, q.offset());
    FloatVector lo = FloatVector.broadcast(F, q.qmin());
    FloatVector hi = FloatVector.broadcast(F, q.qmax());
    FloatVector unshift = FloatVector.broadcast(F, FloatMath.ROUND_MAGIC + q.shift());
    FloatVector magic = FloatVector.broadcast(F, MAGIC);
    float[] invStep = q.inverseStep();
    for (int r = 0; r < rows; r++) {
      int xo = xOff + r * ldx;
      int oo = outOff + r * ldo;
      rowStats(x, xo, cols, eps, stats, lanes);
      float mean = stats[0];
      float inv = stats[1];
      FloatVector mv = FloatVector.broadcast(F, mean);
      FloatVector iv = FloatVector.broadcast(F, inv);
      for (int j = 0; j < whole; j += FL) {
        FloatVector y = FloatVector.fromArray(F, x, xo + j).sub(mv).mul(iv)
            .fma(FloatVector.fromArray(F, gamma, j), FloatVector.fromArray(F, beta, j));
        y = y.sub(off).mul(FloatVector.fromArray(F, invStep, qCol + j)).max(lo).min(hi).add(magic).sub(unshift);
        ((DoubleVector) y.convertShape(VectorOperators.F2D, D, 0)).intoArray(out, oo + j);
        ((DoubleVector) y.convertShape(VectorOperators.F2D, D, 1)).intoArray(out, oo + j + DL);
      }
      for (int j = whole; j < cols; j++) {
        out[oo + j] = quantizeOne(Math.fma((x[xo + j] - mean) * inv, gamma[j], beta[j]), q, invStep[qCol + j]);
      }
    }
  }

  // ---- softmax ---------------------------------------------------------------------------------

  /**
   * exp(scale * s - max) of one row into {@code e}; returns the sum. With a {@code tail} scratch (and
   * room for a whole vector at the end of {@code e}), the last partial vector goes through the vector
   * loop too, its missing lanes filled with a far lower score and their exp taken back out of the sum;
   * without, the tail is scalar. {@code lanes} holds one vector.
   */
  private static float softmaxExpRow(int[] s, int so, int cols, float scale, float[] e, int eo, int[] tail,
      float[] lanes) {
    int whole = cols - cols % FL;
    IntVector mx = IntVector.broadcast(I, Integer.MIN_VALUE);
    for (int j = 0; j < whole; j += FL) {
      mx = IntVector.fromArray(I, s, so + j).max(mx); // loaded vector first: see the class comment
    }
    int imax = mx.reduceLanes(VectorOperators.MAX);
    for (int j = whole; j < cols; j++) {
      imax = Math.max(imax, s[so + j]);
    }
    int end = whole;
    if (tail != null && whole < cols) {
      java.util.Arrays.fill(tail, imax - (1 << 30));
      System.arraycopy(s, so + whole, tail, 0, cols - whole);
      end = whole + FL;
    }
    // scale > 0, so the largest score is the largest integer: max needs no float pass.
    float max = scale * imax;
    FloatVector scaleV = FloatVector.broadcast(F, scale);
    FloatVector maxV = FloatVector.broadcast(F, max);
    FloatVector lowest = FloatVector.broadcast(F, FloatMath.EXP_LO);
    FloatVector log2e = FloatVector.broadcast(F, FloatMath.LOG2E);
    FloatVector magic = FloatVector.broadcast(F, MAGIC);
    FloatVector ln2Hi = FloatVector.broadcast(F, -FloatMath.LN2_HI);
    FloatVector ln2Lo = FloatVector.broadcast(F, -FloatMath.LN2_LO);
    FloatVector p0 = FloatVector.broadcast(F, FloatMath.EXP_P0);
    FloatVector p1 = FloatVector.broadcast(F, FloatMath.EXP_P1);
    FloatVector p2 = FloatVector.broadcast(F, FloatMath.EXP_P2);
    FloatVector p3 = FloatVector.broadcast(F, FloatMath.EXP_P3);
    FloatVector p4 = FloatVector.broadcast(F, FloatMath.EXP_P4);
    FloatVector p5 = FloatVector.broadcast(F, FloatMath.EXP_P5);
    FloatVector one = FloatVector.broadcast(F, 1f);
    IntVector bias = IntVector.broadcast(I, 127 - FloatMath.ROUND_MAGIC_BITS);
    FloatVector sum = FloatVector.zero(F);
    for (int j = 0; j < end; j += FL) {
      // the source array is chosen, not the vector: a vector chosen by a branch can box
      int[] src = j < whole ? s : tail;
      int at = j < whole ? so + j : 0;
      // exp, as FloatMath.exp; the argument is at most 0, so only the lower clamp can act
      FloatVector x = ((FloatVector) IntVector.fromArray(I, src, at).convert(VectorOperators.I2F, 0))
          .mul(scaleV).sub(maxV).max(lowest);
      FloatVector nm = x.fma(log2e, magic);
      FloatVector n = nm.sub(magic);
      FloatVector t = n.fma(ln2Lo, n.fma(ln2Hi, x));
      FloatVector y = p5.fma(t, p4).fma(t, p3).fma(t, p2).fma(t, p1).fma(t, p0).fma(t.mul(t), t).add(one);
      // 2^n from the bits of n + 1.5 * 2^23 (JDK 17 does not compile float-to-int conversions)
      FloatVector ex = y.mul(nm.reinterpretAsInts().add(bias).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
      ex.intoArray(e, eo + j);
      sum = ex.add(sum); // new vector first: see the class comment
    }
    sum.intoArray(lanes, 0);
    float total = sumInLaneOrder(lanes);
    for (int j = cols; j < end; j++) {
      total -= e[eo + j];
    }
    for (int j = end; j < cols; j++) {
      float ex = FloatMath.exp(scale * s[so + j] - max);
      e[eo + j] = ex;
      total += ex;
    }
    return total;
  }

  /**
   * Allocates one vector's lanes per call: the interface gives it no scratch (the forward pass uses
   * {@link #softmaxThenQuantize}).
   */
  static void softmax(int[] s, int sOff, int lds, int rows, int cols, float scale, float[] out, int outOff, int ldo) {
    int whole = cols - cols % FL;
    float[] lanes = new float[FL];
    for (int r = 0; r < rows; r++) {
      int oo = outOff + r * ldo;
      float inv = 1f / softmaxExpRow(s, sOff + r * lds, cols, scale, out, oo, null, lanes);
      FloatVector iv = FloatVector.broadcast(F, inv);
      for (int j = 0; j < whole; j += FL) {
        FloatVector.fromArray(F, out, oo + j).mul(iv).intoArray(out, oo + j);
      }
      for (int j = whole; j < cols; j++) {
        out[oo + j] *= inv;
      }
    }
  }

  /**
   * Softmax rows straight into quantized probabilities: {@code row} holds one row of exp values. The
   * normalising loop lives here rather than in a helper so that this method stays too large for C2 to
   * inline into the attention code, which would exhaust that compilation's inlining budget.
   */
  static void softmaxThenQuantize(int[] s, int sOff, int lds, int rows, int cols, float scale, QuantizeArgs q,
      double[] out, int outOff, int ldo, float[] row, int[] tail, float[] lanes) {
    checkQuantizer(q, 0, cols);
    if (row.length < cols + FL) {
      throw new IllegalArgumentException("softmax scratch of " + row.length + " floats for rows of " + cols);
    }
    int whole = cols - cols % FL;
    FloatVector off = FloatVector.broadcast(F, q.offset());
    FloatVector lo = FloatVector.broadcast(F, q.qmin());
    FloatVector hi = FloatVector.broadcast(F, q.qmax());
    FloatVector unshift = FloatVector.broadcast(F, FloatMath.ROUND_MAGIC + q.shift());
    FloatVector magic = FloatVector.broadcast(F, MAGIC);
    float[] inv = q.inverseStep();
    for (int r = 0; r < rows; r++) {
      float factor = 1f / softmaxExpRow(s, sOff + r * lds, cols, scale, row, 0, tail, lanes);
      FloatVector fv = FloatVector.broadcast(F, factor);
      int oo = outOff + r * ldo;
      for (int j = 0; j < whole; j += FL) {
        FloatVector y = FloatVector.fromArray(F, row, j).mul(fv).sub(off).mul(FloatVector.fromArray(F, inv, j))
            .max(lo).min(hi).add(magic).sub(unshift);
        ((DoubleVector) y.convertShape(VectorOperators.F2D, D, 0)).intoArray(out, oo + j);
        ((DoubleVector) y.convertShape(VectorOperators.F2D, D, 1)).intoArray(out, oo + j + DL);
      }
      for (int j = whole; j < cols; j++) {
        out[oo + j] = quantizeOne(row[j] * factor, q, inv[j]);
      }
    }
  }

  // ---- GELU ------------------------------------------------------------------------------------

  /**
   * GELU in three stages per row (erfc exponent, exp, select and scale) through a scratch row: each
   * stage is short enough to stay inside C2's inlining budget with its constants in registers.
   * {@code row} holds at least {@code cols} floats.
   */
  static void gelu(float[] x, int off, int ld, int rows, int cols, float[] row) {
    for (int r = 0; r < rows; r++) {
      geluErfc(x, off + r * ld, cols, row);
      geluApply(x, off + r * ld, cols, row, null, null, 0, 0);
    }
  }

  static void geluThenQuantize(float[] x, int off, int ld, int rows, int cols, float[] row, QuantizeArgs q, int qCol,
      double[] out, int outOff, int ldo) {
    checkQuantizer(q, qCol, cols);
    for (int r = 0; r < rows; r++) {
      geluErfc(x, off + r * ld, cols, row);
      geluApply(x, off + r * ld, cols, row, q, out, outOff + r * ldo, qCol);
    }
  }

  /** erfc(min(|x| / sqrt 2, 4)) of one row into {@code erfc}, as FloatMath.erfcNonNegative. */
  private static void geluErfc(float[] x, int xo, int cols, float[] erfc) {
    if (erfc.length < cols) {
      throw new IllegalArgumentException("GELU scratch of " + erfc.length + " floats for rows of " + cols);
    }
    erfcExponentRow(x, xo, cols, erfc);
    expRow(erfc, cols);
  }

  /** -a^2 + U(a - 2) with a = min(|x| / sqrt 2, 4), as FloatMath.erfcExponent. */
  private static void erfcExponentRow(float[] x, int xo, int cols, float[] out) {
    int whole = cols - cols % FL;
    FloatVector invSqrt2 = FloatVector.broadcast(F, FloatMath.INV_SQRT2);
    FloatVector top = FloatVector.broadcast(F, FloatMath.ERFC_MAX);
    FloatVector two = FloatVector.broadcast(F, 2f);
    FloatVector u0 = FloatVector.broadcast(F, FloatMath.U0);
    FloatVector u1 = FloatVector.broadcast(F, FloatMath.U1);
    FloatVector u2 = FloatVector.broadcast(F, FloatMath.U2);
    FloatVector u3 = FloatVector.broadcast(F, FloatMath.U3);
    FloatVector u4 = FloatVector.broadcast(F, FloatMath.U4);
    FloatVector u5 = FloatVector.broadcast(F, FloatMath.U5);
    FloatVector u6 = FloatVector.broadcast(F, FloatMath.U6);
    FloatVector u7 = FloatVector.broadcast(F, FloatMath.U7);
    FloatVector u8 = FloatVector.broadcast(F, FloatMath.U8);
    FloatVector u9 = FloatVector.broadcast(F, FloatMath.U9);
    FloatVector u10 = FloatVector.broadcast(F, FloatMath.U10);
    FloatVector u11 = FloatVector.broadcast(F, FloatMath.U11);
    for (int j = 0; j < whole; j += FL) {
      FloatVector a = FloatVector.fromArray(F, x, xo + j).mul(invSqrt2).abs().min(top);
      FloatVector t = a.sub(two);
      FloatVector u = u11.fma(t, u10).fma(t, u9).fma(t, u8).fma(t, u7).fma(t, u6).fma(t, u5).fma(t, u4)
          .fma(t, u3).fma(t, u2).fma(t, u1).fma(t, u0);
      a.neg().fma(a, u).intoArray(out, j);
    }
    for (int j = whole; j < cols; j++) {
      out[j] = FloatMath.erfcExponent(Math.abs(x[xo + j] * FloatMath.INV_SQRT2));
    }
  }

  /** exp of a row in place, for arguments in [-87, 0] (no clamping), as FloatMath.exp. */
  private static void expRow(float[] v, int cols) {
    int whole = cols - cols % FL;
    FloatVector log2e = FloatVector.broadcast(F, FloatMath.LOG2E);
    FloatVector magic = FloatVector.broadcast(F, MAGIC);
    FloatVector ln2Hi = FloatVector.broadcast(F, -FloatMath.LN2_HI);
    FloatVector ln2Lo = FloatVector.broadcast(F, -FloatMath.LN2_LO);
    FloatVector p0 = FloatVector.broadcast(F, FloatMath.EXP_P0);
    FloatVector p1 = FloatVector.broadcast(F, FloatMath.EXP_P1);
    FloatVector p2 = FloatVector.broadcast(F, FloatMath.EXP_P2);
    FloatVector p3 = FloatVector.broadcast(F, FloatMath.EXP_P3);
    FloatVector p4 = FloatVector.broadcast(F, FloatMath.EXP_P4);
    FloatVector p5 = FloatVector.broadcast(F, FloatMath.EXP_P5);
    FloatVector one = FloatVector.broadcast(F, 1f);
    IntVector bias = IntVector.broadcast(I, 127 - FloatMath.ROUND_MAGIC_BITS);
    for (int j = 0; j < whole; j += FL) {
      FloatVector e = FloatVector.fromArray(F, v, j);
      FloatVector nm = e.fma(log2e, magic);
      FloatVector n = nm.sub(magic);
      FloatVector rr = n.fma(ln2Lo, n.fma(ln2Hi, e));
      FloatVector y = p5.fma(rr, p4).fma(rr, p3).fma(rr, p2).fma(rr, p1).fma(rr, p0).fma(rr.mul(rr), rr).add(one);
      // 2^n from the bits of n + 1.5 * 2^23 (JDK 17 does not compile float-to-int conversions)
      y.mul(nm.reinterpretAsInts().add(bias).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats()).intoArray(v, j);
    }
    // the tail written out (FloatMath.exp without its clamps, inactive here): it also keeps this method
    // above C2's inlining size, so it is compiled on its own rather than inside a large caller
    for (int j = whole; j < cols; j++) {
      float e = v[j];
      float nm = Math.fma(e, FloatMath.LOG2E, MAGIC);
      float n = nm - MAGIC;
      float rr = Math.fma(n, -FloatMath.LN2_LO, Math.fma(n, -FloatMath.LN2_HI, e));
      float p = Math.fma(FloatMath.EXP_P5, rr, FloatMath.EXP_P4);
      p = Math.fma(p, rr, FloatMath.EXP_P3);
      p = Math.fma(p, rr, FloatMath.EXP_P2);
      p = Math.fma(p, rr, FloatMath.EXP_P1);
      p = Math.fma(p, rr, FloatMath.EXP_P0);
      float y = Math.fma(p, rr * rr, rr) + 1f;
      v[j] = y * Float.intBitsToFloat((Float.floatToRawIntBits(nm) + (127 - FloatMath.ROUND_MAGIC_BITS)) << 23);
    }
  }

  /**
   * {@code 0.5 x (1 + erf(x / sqrt 2))} from the row's erfc, as FloatMath.gelu: 1 + erf is 2 - erfc for
   * x >= 0, erfc for x < 0 and 0 below -4 sqrt 2; selected by sign-bit masks rather than compare and
   * blend, whose mask vectors are slow on JDK 17. In place, or quantized into {@code out} when {@code
   * q} is given.
   */
  private static void geluApply(float[] x, int xo, int cols, float[] erfc, QuantizeArgs q, double[] out, int oo,
      int qCol) {
    int whole = cols - cols % FL;
    boolean quantize = q != null;
    float[] inv = quantize ? q.inverseStep() : ZERO_FLOATS;
    FloatVector invSqrt2 = FloatVector.broadcast(F, FloatMath.INV_SQRT2);
    FloatVector top = FloatVector.broadcast(F, FloatMath.ERFC_MAX);
    FloatVector half = FloatVector.broadcast(F, 0.5f);
    FloatVector two = FloatVector.broadcast(F, 2f);
    FloatVector off = FloatVector.broadcast(F, quantize ? q.offset() : 0f);
    FloatVector lo = FloatVector.broadcast(F, quantize ? q.qmin() : 0f);
    FloatVector hi = FloatVector.broadcast(F, quantize ? q.qmax() : 0f);
    FloatVector magic = FloatVector.broadcast(F, MAGIC);
    FloatVector unshift = FloatVector.broadcast(F, MAGIC + (quantize ? q.shift() : 0));
    for (int j = 0; j < whole; j += FL) {
      FloatVector v = FloatVector.fromArray(F, x, xo + j);
      FloatVector e = FloatVector.fromArray(F, erfc, j);
      FloatVector z = v.mul(invSqrt2);
      IntVector below = z.abs().sub(top).reinterpretAsInts().lanewise(VectorOperators.ASHR, 31);
      IntVector neg = e.reinterpretAsInts().and(below);
      IntVector pos = two.sub(e).reinterpretAsInts();
      IntVector sign = z.reinterpretAsInts().lanewise(VectorOperators.ASHR, 31);
      FloatVector phi2 = pos.lanewise(VectorOperators.XOR, pos.lanewise(VectorOperators.XOR, neg).and(sign))
          .reinterpretAsFloats();
      FloatVector g = half.mul(v).mul(phi2);
      if (quantize) {
        FloatVector y = g.sub(off).mul(FloatVector.fromArray(F, inv, qCol + j)).max(lo).min(hi).add(magic).sub(unshift);
        ((DoubleVector) y.convertShape(VectorOperators.F2D, D, 0)).intoArray(out, oo + j);
        ((DoubleVector) y.convertShape(VectorOperators.F2D, D, 1)).intoArray(out, oo + j + DL);
      } else {
        g.intoArray(x, xo + j);
      }
    }
    for (int j = whole; j < cols; j++) {
      float g = FloatMath.gelu(x[xo + j]);
      if (quantize) {
        out[oo + j] = quantizeOne(g, q, inv[qCol + j]);
      } else {
        x[xo + j] = g;
      }
    }
  }
}
