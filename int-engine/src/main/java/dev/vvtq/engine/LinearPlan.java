package dev.vvtq.engine;

import dev.vvtq.engine.kernels.Int8Matrix;
import dev.vvtq.engine.kernels.KernelScratch;
import dev.vvtq.engine.kernels.Kernels;
import dev.vvtq.engine.kernels.LowBitMatrix;
import dev.vvtq.engine.kernels.QuantizeArgs;
import dev.vvtq.engine.model.QuantizerParams;
import dev.vvtq.engine.model.QuantizerSpec;

/**
 * A quantized linear layer with its input quantizer, prepared once at load:
 *
 * <pre>
 * y[o] = sum over input groups g of  alpha_x(g) * alpha_w(o, g) * (acc_g[o] + shift * rowsum_g(W)[o])
 *        + beta * sum_g alpha_w(o, g) * rowsum_g(W)[o] + b[o]
 * </pre>
 *
 * where {@code acc_g} is the integer product over the input columns of group g of the shifted operand
 * ({@code x_int - shift}), so {@code acc_g + shift * rowsum_g} is the exact {@code X_int @ W_int^T}.
 * There is more than one group only when per-head steps act on the input columns ({@code attn.proj}
 * head-wise). Everything that does not depend on the input (scales, shifted row sums, the folded bias)
 * is computed here.
 */
final class LinearPlan {
  /** Step of weight row o for input column k. */
  interface WeightStep {
    float of(int o, int k);
  }

  final int in;
  final int out;
  final LowBitMatrix lowBitWeights;
  final Int8Matrix int8Weights;
  /** The input quantizer as the kernels apply it; its operand type matches the weights' product. */
  final QuantizeArgs input;
  /** Boundaries of the input-column groups: {@code groups + 1} entries from 0 to {@code in}. */
  final int[] split;
  final float[][] scale;
  final int[][] shiftRowSum;
  final float[] bias;
  final long weightBytes;

  private LinearPlan(Kernels kernels, byte[] w, int out, int in, int bits, WeightStep step, float[] bias,
      QuantizerParams x, int groups) {
    this.in = in;
    this.out = out;
    boolean lowBit = bits <= 4;
    this.lowBitWeights = lowBit ? kernels.prepareLowBit(w, out, in, bits) : null;
    this.int8Weights = lowBit ? null : kernels.prepareInt8(w, out, in, bits);
    this.weightBytes = lowBit ? lowBitWeights.bytesHeld() : int8Weights.bytesHeld();
    QuantizerSpec q = x.spec();
    int shift = q.signed() ? 0 : 1 << (q.bits() - 1);
    this.input = new QuantizeArgs(inverseSteps(x.steps(), in), x.offset(), q.qmin(), q.qmax(), shift, q.bits());
    this.split = new int[groups + 1];
    for (int g = 0; g <= groups; g++) {
      split[g] = g * in / groups;
    }
    this.scale = new float[groups][out];
    this.shiftRowSum = shift == 0 ? null : new int[groups][out];
    double[] folded = new double[out];
    for (int o = 0; o < out; o++) {
      folded[o] = bias[o];
    }
    for (int g = 0; g < groups; g++) {
      float alphaX = x.steps()[x.steps().length == 1 ? 0 : g * x.steps().length / groups];
      for (int o = 0; o < out; o++) {
        float alphaW = step.of(o, split[g]);
        int rowSum = 0;
        for (int k = split[g]; k < split[g + 1]; k++) {
          rowSum += w[o * in + k];
          if (step.of(o, k) != alphaW) {
            throw new IllegalStateException("weight step varies inside input group " + g);
          }
        }
        scale[g][o] = alphaX * alphaW;
        if (shiftRowSum != null) {
          shiftRowSum[g][o] = shift * rowSum;
        }
        folded[o] += (double) x.offset() * alphaW * rowSum;
      }
    }
    this.bias = new float[out];
    for (int o = 0; o < out; o++) {
      this.bias[o] = (float) folded[o];
    }
  }

  /**
   * Prepares {@code W_int} ({@code out x in}, one value per byte) with its steps and bias, behind
   * input quantizer {@code x}, with {@code groups} input-column groups.
   */
  static LinearPlan of(Kernels kernels, byte[] w, int out, int in, int bits, WeightStep step, float[] bias,
      QuantizerParams x, int groups) {
    return new LinearPlan(kernels, w, out, in, bits, step, bias, x, groups);
  }

  /** {@code 1 / alpha} per column, each group's step repeated over its columns. */
  static float[] inverseSteps(float[] steps, int columns) {
    float[] inv = new float[columns];
    for (int j = 0; j < columns; j++) {
      inv[j] = 1f / steps[j * steps.length / columns];
    }
    return inv;
  }

  boolean lowBit() {
    return lowBitWeights != null;
  }

  /**
   * {@code out (+)= y} for {@code rows} rows of the quantized input {@code a}; {@code acc} is scratch
   * for the integer products.
   */
  void apply(Kernels k, double[] a, int aOff, int lda, int rows, int[] acc, int accOff, int ldAcc, KernelScratch s,
      float[] outArr, int outOff, int ldo, boolean accumulate, OpTimer timer, int thread) {
    for (int g = 0; g + 1 < split.length; g++) {
      long t0 = timer.start();
      product(k, a, aOff, lda, rows, split[g], split[g + 1], acc, accOff, ldAcc, s);
      timer.stop(thread, OpClass.LINEAR, t0);
      t0 = timer.start();
      k.dequantize(acc, accOff, ldAcc, rows, out, scale[g], shiftRowSum == null ? null : shiftRowSum[g],
          g == 0 ? bias : null, outArr, outOff, ldo, accumulate || g > 0);
      timer.stop(thread, OpClass.DEQUANTIZE, t0);
    }
  }

  /** The integer product over input columns [k0, k1) into {@code acc}, no epilogue. */
  void product(Kernels k, double[] a, int aOff, int lda, int rows, int k0, int k1, int[] acc, int accOff, int ldAcc,
      KernelScratch s) {
    if (lowBitWeights != null) {
      k.lowBitGemm(a, aOff, lda, input.bits(), rows, lowBitWeights, k0, k1, acc, accOff, ldAcc, s);
    } else {
      k.int8Gemm(a, aOff, lda, input.bits(), rows, int8Weights, k0, k1, acc, accOff, ldAcc, s);
    }
  }

  /** The shifted row sums of the single input group, or null (signed input). */
  int[] shiftRowSum0() {
    return shiftRowSum == null ? null : shiftRowSum[0];
  }

  /** Bytes held by the prepared weights and the per-output vectors. */
  long bytesHeld() {
    long vectors = (long) scale.length * out * 4 + (shiftRowSum == null ? 0 : (long) shiftRowSum.length * out * 4)
        + out * 4L + in * 4L;
    return weightBytes + vectors;
  }
}
