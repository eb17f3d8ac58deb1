package dev.vvtq.qat.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.vvtq.qat.nn.ForwardContext;
import dev.vvtq.qat.nn.InitRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WeightQuantizerTest {
  private NDManager manager;

  @BeforeEach
  void open() {
    manager = NDManager.newBaseManager();
  }

  @AfterEach
  void close() {
    manager.close();
  }

  private QuantLinear layer(int bits, float[] weight, int in, int out, float... alpha) {
    QuantLinear l = new QuantLinear(in, out, true, bits, alpha.length, GroupAxis.OUT);
    l.initialize(manager, new InitRandom(1));
    l.weight().assign(manager, weight);
    l.quantizer().alpha().assign(manager, alpha);
    return l;
  }

  @Test
  void forwardRoundsHalfToEvenAndClampsPerBitWidth() {
    // W / 0.25 = -9, -8.5, -2.5, -1.5, 0.5, 1.5, 6.5, 7.5
    float[] w = {-2.25f, -2.125f, -0.625f, -0.375f, 0.125f, 0.375f, 1.625f, 1.875f};
    QuantLinear four = layer(4, w, 4, 2, 0.25f);
    float[] q4 = four.quantizer().quantize("t", four.weight().array(), ForwardContext.eval(manager)).toFloatArray();
    assertArrayEquals(new float[] {-2f, -2f, -0.5f, -0.5f, 0f, 0.5f, 1.5f, 1.75f}, q4, 0f);
    QuantLinear three = layer(3, w, 4, 2, 0.25f);
    float[] q3 = three.quantizer().quantize("t", three.weight().array(), ForwardContext.eval(manager)).toFloatArray();
    assertArrayEquals(new float[] {-1f, -1f, -0.5f, -0.5f, 0f, 0.5f, 0.75f, 0.75f}, q3, 0f);
    QuantLinear eight = layer(8, w, 4, 2, 0.25f);
    float[] q8 = eight.quantizer().quantize("t", eight.weight().array(), ForwardContext.eval(manager)).toFloatArray();
    assertArrayEquals(new float[] {-2.25f, -2f, -0.5f, -0.5f, 0f, 0.5f, 1.5f, 2f}, q8, 0f);
    assertArrayEquals(new int[] {-8, -8, -2, -2, 0, 2, 6, 7}, four.quantizer().integerWeights(w, new long[] {2, 4}));
  }

  @Test
  void stepBelowMinimumIsClampedInTheIntegerView() {
    QuantLinear l = layer(4, new float[] {0.0002f, -0.0003f}, 2, 1, 1e-6f);
    assertArrayEquals(new int[] {2, -3}, l.quantizer().integerWeights(l.weight().values(), new long[] {1, 2}));
  }

  @Test
  void gradientsAreStraightThroughInsideAndLsqForTheStep() {
    float alpha = 0.2f;
    float[] w = {-2.0f, -1.61f, -0.33f, 0.07f, 0.29f, 0.5f, 1.39f, 1.45f};
    float[] up = {1f, -2f, 0.5f, 3f, -1f, 2f, 1.5f, -0.5f};
    QuantLinear l = layer(4, w, 4, 2, alpha);
    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      NDArray q = l.quantizer().quantize("t", l.weight().array(), ForwardContext.eval(manager));
      gc.backward(q.mul(manager.create(up, new ai.djl.ndarray.types.Shape(2, 4))).sum());
    }
    float[] gw = l.weight().array().getGradient().toFloatArray();
    double sumAbs = 0;
    for (float v : w) {
      sumAbs += Math.abs(v);
    }
    double g = 1.0 / Math.sqrt(sumAbs * 7);
    double expected = 0;
    for (int i = 0; i < w.length; i++) {
      double v = w[i] / (double) alpha;
      boolean inside = v >= -8 && v <= 7;
      assertEquals(inside ? up[i] : 0f, gw[i], 1e-6f, "weight gradient at " + i);
      expected += (v < -8 ? -8 : v > 7 ? 7 : Math.rint(v) - v) * up[i];
    }
    expected *= g;
    assertTrue(Math.abs(expected) > 1e-3);
    assertEquals(expected, l.quantizer().alpha().array().getGradient().getFloat(0), 1e-5);
  }

  @Test
  void headWiseStepsApplyPerOutputGroup() {
    float[] w = {1f, 1f, 1f, 1f};
    QuantLinear l = layer(4, w, 2, 2, 0.5f, 0.3f);
    float[] q = l.quantizer().quantize("t", l.weight().array(), ForwardContext.eval(manager)).toFloatArray();
    // row 0: 1/0.5 = 2 -> 1.0; row 1: 1/0.3 = 3.33 -> 3 -> 0.9
    assertArrayEquals(new float[] {1f, 1f, 0.9f, 0.9f}, q, 1e-6f);
  }

  @Test
  void mseStepReachesTheFixedPoint() {
    float[] w = new float[257];
    java.util.SplittableRandom r = new java.util.SplittableRandom(7);
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) (r.nextDouble() * r.nextDouble() * (r.nextBoolean() ? 1 : -1) * 0.3);
    }
    // Independent plain-double iteration.
    double max = 0;
    for (float v : w) {
      max = Math.max(max, Math.abs(v));
    }
    double a = max / 7;
    for (int it = 0; it < 1000; it++) {
      double num = 0;
      double den = 0;
      for (float v : w) {
        double q = Math.rint(Math.max(-8, Math.min(7, v / a)));
        num += v * q;
        den += q * q;
      }
      double next = num / den;
      boolean done = Math.abs(next - a) / next < 1e-5;
      a = next;
      if (done) {
        break;
      }
    }
    double got = StepSizeInit.mseStep(w, 0, w.length, new QuantRange(4, true), "t");
    assertEquals(a, got, 1e-12);
    // A fixed point: one more iteration leaves the step where it is.
    double num = 0;
    double den = 0;
    for (float v : w) {
      double q = Math.rint(Math.max(-8, Math.min(7, v / got)));
      num += v * q;
      den += q * q;
    }
    assertEquals(got, num / den, got * 1e-5);
    assertTrue(Math.abs(got - max / 7) > 1e-4, "the iteration must move away from the max-abs start");
  }

  @Test
  void mseStepFailsLoudlyOnNan() {
    float[] w = {0.1f, Float.NaN, 0.2f};
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> StepSizeInit.mseStep(w, 0, 3, new QuantRange(4, true), "blocks.0.mlp.fc1"));
    assertTrue(e.getMessage().contains("blocks.0.mlp.fc1"), e.getMessage());
  }
}
