package dev.vvtq.qat.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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

class ActivationQuantizerTest {
  private NDManager manager;

  @BeforeEach
  void open() {
    manager = NDManager.newBaseManager();
  }

  @AfterEach
  void close() {
    manager.close();
  }

  private ActivationQuantizer quantizer(int bits, boolean signed, boolean offset, float alpha, float beta) {
    ActivationQuantizer q = new ActivationQuantizer(bits, signed, offset, 1);
    q.initialize(manager, new InitRandom(0));
    q.alpha().assign(manager, new float[] {alpha});
    if (offset) {
      q.beta().assign(manager, new float[] {beta});
    }
    q.markInitialized(true);
    return q;
  }

  private float[] forward(ActivationQuantizer q, float[] x) {
    return q.forward(manager.create(x), ForwardContext.eval(manager)).toFloatArray();
  }

  @Test
  void fourBitSignedClampsAndRoundsHalfToEven() {
    // x / 0.5 = -10, -8.5, -8, -0.5, 0.5, 1.5, 2.5, 7, 7.5, 20 -> clamp [-8, 7] -> round half even.
    float[] x = {-5f, -4.25f, -4f, -0.25f, 0.25f, 0.75f, 1.25f, 3.5f, 3.75f, 10f};
    float[] expected = {-4f, -4f, -4f, 0f, 0f, 1f, 1f, 3.5f, 3.5f, 3.5f};
    assertArrayEquals(expected, forward(quantizer(4, true, false, 0.5f, 0), x), 0f);
  }

  @Test
  void twoThreeAndEightBitRanges() {
    float[] x = {-9f, -2.5f, -1.5f, -0.5f, 0.5f, 1.5f, 2.5f, 9f, 200f, -200f};
    // 2-bit signed: [-2, 1]
    assertArrayEquals(new float[] {-2, -2, -2, 0, 0, 1, 1, 1, 1, -2}, forward(quantizer(2, true, false, 1f, 0), x), 0f);
    // 3-bit signed: [-4, 3]
    assertArrayEquals(new float[] {-4, -2, -2, 0, 0, 2, 2, 3, 3, -4}, forward(quantizer(3, true, false, 1f, 0), x), 0f);
    // 8-bit signed: [-128, 127]
    assertArrayEquals(new float[] {-9, -2, -2, 0, 0, 2, 2, 9, 127, -128}, forward(quantizer(8, true, false, 1f, 0), x), 0f);
  }

  @Test
  void unsignedFourBitClampsAtZeroAndFifteen() {
    float[] x = {-1f, -0.1f, 0.05f, 0.15f, 0.25f, 1.45f, 1.5f, 1.55f, 3f};
    // / 0.1 = -10, -1, 0.5, 1.5, 2.5, 14.5, 15, 15.5, 30 -> [0,15] -> 0,0,0,2,2,14,15,15,15
    float[] got = forward(quantizer(4, false, false, 0.1f, 0), x);
    float[] ints = new float[got.length];
    for (int i = 0; i < got.length; i++) {
      ints[i] = Math.round(got[i] / 0.1f);
    }
    assertArrayEquals(new float[] {0, 0, 0, 2, 2, 14, 15, 15, 15}, ints, 0f);
  }

  @Test
  void offsetShiftsTheGridAndItsGradientCountsClippedElements() {
    ActivationQuantizer q = quantizer(4, false, true, 0.5f, -0.25f);
    float[] xs = {-1f, -0.25f, 0.5f, 1.0f, 7.5f, 10f};
    // (x + 0.25) / 0.5 = -1.5, 0, 1.5, 2.5, 15.5, 20.5 -> clamp [0, 15] -> 0, 0, 2, 2, 15, 15
    float[] expected = {-0.25f, -0.25f, 0.75f, 0.75f, 7.25f, 7.25f};
    NDArray x = manager.create(xs);
    NDArray upstream = manager.create(new float[] {1f, 2f, 3f, 4f, 5f, 6f});
    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      NDArray y = q.forward(x, ForwardContext.eval(manager));
      assertArrayEquals(expected, y.toFloatArray(), 1e-6f);
      gc.backward(y.mul(upstream).sum());
    }
    // d y / d beta = 1 where clipped, 0 inside, 1/2 on a bound (element 1 sits exactly on 0, where
    // the reference's min/max clamp splits the gradient): 1 + 2/2 + 5 + 6.
    assertEquals(13f, q.beta().array().getGradient().getFloat(0), 1e-5f);
  }

  @Test
  void gradientsMatchTheLsqClosedForm() {
    float alpha = 0.3f;
    ActivationQuantizer q = quantizer(4, true, false, alpha, 0);
    float[] xs = {-3.1f, -2.4f, -1.0f, -0.2f, 0.05f, 0.4f, 0.77f, 1.3f, 2.09f, 2.2f, 5f};
    float[] up = {0.5f, -1f, 2f, 1f, -0.5f, 3f, 1.5f, -2f, 0.25f, 1f, 4f};
    NDArray x = manager.create(xs);
    x.setRequiresGradient(true);
    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      NDArray y = q.forward(x, ForwardContext.eval(manager));
      gc.backward(y.mul(manager.create(up)).sum());
    }
    float[] gx = x.getGradient().toFloatArray();
    double g = 1.0 / Math.sqrt(xs.length) / 7;
    double expectedAlphaGrad = 0;
    for (int i = 0; i < xs.length; i++) {
      double v = xs[i] / alpha; // in float, as the model divides
      // On a bound (x[1] / alpha is exactly -8) the gradient splits: half through x, half to the bound.
      double through = v > -8 && v < 7 ? 1 : v == -8 || v == 7 ? 0.5 : 0;
      assertEquals(through * up[i], gx[i], 1e-6f, "input gradient at " + i);
      double bound = v < 0 ? -8 : 7;
      double local = through * (Math.rint(v) - v) + (1 - through) * bound;
      expectedAlphaGrad += local * up[i];
    }
    expectedAlphaGrad *= g;
    assertEquals(expectedAlphaGrad, q.alpha().array().getGradient().getFloat(0), 1e-5);
    assertTrue(Math.abs(expectedAlphaGrad) > 1e-3, "test inputs must give a non-trivial step gradient");
  }

  @Test
  void anInputExactlyOnABoundGetsHalfTheGradientAsTheReferencesClampGives() {
    // x / 0.5 = -8 (on Qn), 7 (on Qp), -8.5 and 7.5 (outside), 3 (inside).
    ActivationQuantizer q = quantizer(4, true, false, 0.5f, 0);
    NDArray x = manager.create(new float[] {-4f, 3.5f, -4.25f, 3.75f, 1.5f});
    x.setRequiresGradient(true);
    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      NDArray y = q.forward(x, ForwardContext.eval(manager));
      gc.backward(y.sum());
    }
    assertArrayEquals(new float[] {0.5f, 0.5f, 0f, 0f, 1f}, x.getGradient().toFloatArray(), 0f);
    // The step sees the other half at a tie: d/dalpha of round(clamp(x/a))*a with x/a on the bound
    // is 0.5 * bound (through x/a) + ... ; checked against the closed form below.
    double g = 1.0 / Math.sqrt(5) / 7;
    double tie = 0.5 * -8 + 0.5 * (Math.rint(-8.0) - -8.0) + 0.5 * 7 + 0.5 * (Math.rint(7.0) - 7.0);
    double expected = g * (tie + -8 + 7 + (Math.rint(3.0) - 3.0));
    assertEquals(expected, q.alpha().array().getGradient().getFloat(0), 1e-6);
  }

  @Test
  void lazyInitUsesSignedQpEvenWhenUnsigned() {
    ActivationQuantizer q = new ActivationQuantizer(4, false, false, 1);
    q.initialize(manager, new InitRandom(0));
    float[] xs = {0.1f, 0.2f, 0.3f, 0.6f};
    q.forward(manager.create(xs), ForwardContext.eval(manager));
    // 2 * mean|x| / sqrt(2^(4-1) - 1) = 2 * 0.3 / sqrt(7)
    assertEquals(2 * 0.3 / Math.sqrt(7), q.alpha().values()[0], 1e-6);
    assertTrue(q.isInitialized());
  }

  @Test
  void headWiseInitialisesOneStepPerHead() {
    ActivationQuantizer q = new ActivationQuantizer(4, true, false, 2);
    q.initialize(manager, new InitRandom(0));
    // [B=1, H=2, N=1, D=2]: head 0 mean|x| = 1, head 1 mean|x| = 3
    NDArray x = manager.create(new float[] {1f, -1f, 3f, -3f}, new ai.djl.ndarray.types.Shape(1, 2, 1, 2));
    q.forward(x, ForwardContext.eval(manager));
    float[] a = q.alpha().values();
    assertEquals(2 / Math.sqrt(7), a[0], 1e-6);
    assertEquals(6 / Math.sqrt(7), a[1], 1e-6);
  }
}
