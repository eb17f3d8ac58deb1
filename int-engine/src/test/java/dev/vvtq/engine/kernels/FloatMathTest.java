package dev.vvtq.engine.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.MathContext;
import org.junit.jupiter.api.Test;

/** exp, erf, erfc and GELU against values computed here to 60 significant digits. */
class FloatMathTest {
  private static final MathContext MC = new MathContext(60);
  private static final BigDecimal PI =
      new BigDecimal("3.14159265358979323846264338327950288419716939937510582097494459");
  private static final BigDecimal TWO_OVER_SQRT_PI = BigDecimal.valueOf(2).divide(PI.sqrt(MC), MC);

  /** erf by its Taylor series, summed until the terms fall below 1e-45 (converges for every x). */
  static double erfHighPrecision(double x) {
    BigDecimal bx = new BigDecimal(x);
    BigDecimal x2 = bx.multiply(bx, MC);
    BigDecimal power = bx; // x^(2n+1) / n!, with sign
    BigDecimal sum = BigDecimal.ZERO;
    BigDecimal tiny = new BigDecimal("1e-45");
    for (int n = 0; n < 2000; n++) {
      BigDecimal term = power.divide(BigDecimal.valueOf(2L * n + 1), MC);
      sum = sum.add(term, MC);
      if (term.abs().compareTo(tiny) < 0 && n > 2) {
        break;
      }
      power = power.multiply(x2, MC).divide(BigDecimal.valueOf(n + 1), MC).negate();
    }
    return sum.multiply(TWO_OVER_SQRT_PI, MC).doubleValue();
  }

  private static double ulpsOff(float got, double exact) {
    return Math.abs(got - exact) / Math.ulp((float) exact);
  }

  private static float[] samples() {
    float[] s = new float[1400];
    int i = 0;
    for (int j = 0; j < 1200; j++) {
      s[i++] = -6f + 12f * j / 1199f;
    }
    float[] special = {0f, 1e-30f, 1e-8f, 1e-3f, 0.5f, 0.99999f, 1f, 1.00001f, 2f, 3.5f, 3.9f, 3.99999f, 4f, 4.00001f, 5f};
    for (float f : special) {
      s[i++] = f;
      s[i++] = -f;
    }
    while (i < s.length) {
      s[i] = (float) Math.scalb(1.0, -(i % 60)) * 1.37f;
      i++;
    }
    return s;
  }

  @Test
  void erfIsAccurateToFloatPrecision() {
    double worst = 0;
    for (float x : samples()) {
      double exact = erfHighPrecision(x);
      double ulps = ulpsOff(FloatMath.erf(x), exact);
      worst = Math.max(worst, ulps);
      assertTrue(ulps <= 3, "erf(" + x + ") = " + FloatMath.erf(x) + ", exact " + exact + ": " + ulps + " ulp");
    }
    assertTrue(worst > 0, "a test that never sees an error compares nothing");
  }

  @Test
  void erfcIsAccurateRelativeToItsValue() {
    for (float x : samples()) {
      double exact = 1 - erfHighPrecision(x);
      float got = FloatMath.erfc(x);
      if (Math.abs(x) >= 4f) {
        // below 1.6e-8 (or above 2 - 1.6e-8): flushed, as float 1 - erf would be
        assertEquals(exact, got, 2e-8, "erfc(" + x + ")");
      } else {
        assertEquals(exact, got, Math.abs(exact) * 2e-6, "erfc(" + x + ")");
      }
    }
  }

  @Test
  void geluMatchesTheExactErfForm() {
    for (float x : samples()) {
      double exact = 0.5 * x * (1 + erfHighPrecision(x / Math.sqrt(2)));
      float got = FloatMath.gelu(x);
      double tolerance = Math.max(4 * Math.ulp((float) exact), 5e-8);
      assertEquals(exact, got, tolerance, "gelu(" + x + ")");
    }
    assertEquals(0.8413447460685429, FloatMath.gelu(1f), 1e-7);
    assertEquals(-0.15865525393145707, FloatMath.gelu(-1f), 1e-7);
  }

  @Test
  void expWithinTwoUlp() {
    for (float x = -87f; x <= 88f; x += 0.0137f) {
      double exact = Math.exp(x);
      double ulps = ulpsOff(FloatMath.exp(x), exact);
      assertTrue(ulps <= 2, "exp(" + x + "): " + ulps + " ulp");
    }
    assertEquals(1f, FloatMath.exp(0f));
  }

  /** The sign of a zero result is not kept (-0.5 rounds to +0): only the integer matters. */
  @Test
  void roundsHalfToEven() {
    float[] in = {0.5f, 1.5f, 2.5f, -0.5f, -1.5f, -2.5f, 7.5f, -8.5f, 0.49999997f, 254.5f};
    float[] out = {0f, 2f, 2f, 0f, -2f, -2f, 8f, -8f, 0f, 254f};
    for (int i = 0; i < in.length; i++) {
      assertEquals(out[i], FloatMath.roundHalfEven(in[i]), "rint(" + in[i] + ")");
      assertEquals((float) Math.rint(in[i]) + 0f, FloatMath.roundHalfEven(in[i]));
    }
  }
}
