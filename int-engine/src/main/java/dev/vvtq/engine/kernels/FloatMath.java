package dev.vvtq.engine.kernels;

/**
 * Float exp, erf, erfc and GELU for the engine. Java has no erf; these are accurate to a few ulp
 * (tests compare them with high-precision values). The vector kernels perform the very same
 * operation sequence (same constants, same fused multiply-adds), so a scalar tail gives the same bits
 * as a vector lane.
 */
public final class FloatMath {
  private FloatMath() {}

  /** Adding then subtracting this rounds a float of magnitude below 2^22 to an integer, half to even. */
  public static final float ROUND_MAGIC = 12582912f; // 1.5 * 2^23
  /** The bits of {@link #ROUND_MAGIC}: bits(n + ROUND_MAGIC) - ROUND_MAGIC_BITS = n for integers |n| < 2^22. */
  static final int ROUND_MAGIC_BITS = 0x4B400000;

  static final float EXP_LO = -87f; // keeps 2^n normal
  static final float EXP_HI = 88f; // keeps 2^n finite
  static final float LOG2E = 1.44269504088896341f;
  static final float LN2_HI = 0.693359375f;
  static final float LN2_LO = -2.12194440e-4f;
  // Cephes expf: e^r = 1 + r + r^2 * P(r) on [-ln2/2, ln2/2].
  static final float EXP_P0 = 5.0000001201e-1f;
  static final float EXP_P1 = 1.6666665459e-1f;
  static final float EXP_P2 = 4.1665795894e-2f;
  static final float EXP_P3 = 8.3334519073e-3f;
  static final float EXP_P4 = 1.3981999507e-3f;
  static final float EXP_P5 = 1.9875691500e-4f;

  // erfc(a) = exp(-a^2 + U(a - 2)) on [0, 4]; U fitted (weighted least squares, max error 2.4e-8).
  static final float ERFC_MAX = 4f; // erfc(4) = 1.5e-8: beyond it erf is 1 in float
  static final float U0 = -1.3649412406e+00f;
  static final float U1 = -4.1816081856e-01f;
  static final float U2 = 7.6248714954e-02f;
  static final float U3 = -1.6465035455e-02f;
  static final float U4 = 3.5720815145e-03f;
  static final float U5 = -7.3256879631e-04f;
  static final float U6 = 1.3385709997e-04f;
  static final float U7 = -2.0545789585e-05f;
  static final float U8 = 2.6745341816e-06f;
  static final float U9 = 1.2361936772e-07f;
  static final float U10 = -3.3944388740e-07f;
  static final float U11 = 7.8874091340e-08f;

  // erf(x) = x * P(x^2) on [-1, 1], relative error below 2e-9 before rounding.
  static final float P0 = 1.1283791657e+00f;
  static final float P1 = -3.7612625824e-01f;
  static final float P2 = 1.1283585149e-01f;
  static final float P3 = -2.6853811962e-02f;
  static final float P4 = 5.1883277353e-03f;
  static final float P5 = -8.0101940574e-04f;
  static final float P6 = 7.8538627714e-05f;

  static final float INV_SQRT2 = 0.70710678118654752f;

  /** Round half to even, as the vector kernels do it (valid for |x| below 2^22, which clamping ensures). */
  public static float roundHalfEven(float x) {
    return (x + ROUND_MAGIC) - ROUND_MAGIC;
  }

  /** e^x, within 2 ulp for x in [-87, 88]; inputs outside are clamped. */
  public static float exp(float x) {
    x = Math.min(Math.max(x, EXP_LO), EXP_HI);
    float nm = Math.fma(x, LOG2E, ROUND_MAGIC);
    float n = nm - ROUND_MAGIC;
    float r = Math.fma(n, -LN2_HI, x);
    r = Math.fma(n, -LN2_LO, r);
    float p = EXP_P5;
    p = Math.fma(p, r, EXP_P4);
    p = Math.fma(p, r, EXP_P3);
    p = Math.fma(p, r, EXP_P2);
    p = Math.fma(p, r, EXP_P1);
    p = Math.fma(p, r, EXP_P0);
    float y = Math.fma(p, r * r, r) + 1f;
    return y * Float.intBitsToFloat((Float.floatToRawIntBits(nm) + (127 - ROUND_MAGIC_BITS)) << 23);
  }

  /** erfc(a) for a >= 0 (clamped to [0, 4]): relative error of a few ulp. */
  static float erfcNonNegative(float a) {
    return exp(erfcExponent(a));
  }

  /** The exponent of erfc(a) = exp(-a^2 + U(a - 2)), a clamped to [0, 4]; it lies in [-17, 0]. */
  static float erfcExponent(float a) {
    a = Math.min(a, ERFC_MAX);
    float t = a - 2f;
    float u = U11;
    u = Math.fma(u, t, U10);
    u = Math.fma(u, t, U9);
    u = Math.fma(u, t, U8);
    u = Math.fma(u, t, U7);
    u = Math.fma(u, t, U6);
    u = Math.fma(u, t, U5);
    u = Math.fma(u, t, U4);
    u = Math.fma(u, t, U3);
    u = Math.fma(u, t, U2);
    u = Math.fma(u, t, U1);
    u = Math.fma(u, t, U0);
    return Math.fma(-a, a, u);
  }

  /** The complementary error function, to float precision (0 beyond 4, 2 below -4). */
  public static float erfc(float x) {
    float e = erfcNonNegative(Math.abs(x));
    if (Math.abs(x) >= ERFC_MAX) {
      e = 0f;
    }
    return x < 0 ? 2f - e : e;
  }

  /** The error function, to float precision: x * P(x^2) below 1, 1 - erfc(|x|) above. */
  public static float erf(float x) {
    float a = Math.abs(x);
    if (a < 1f) {
      float s = x * x;
      float p = P6;
      p = Math.fma(p, s, P5);
      p = Math.fma(p, s, P4);
      p = Math.fma(p, s, P3);
      p = Math.fma(p, s, P2);
      p = Math.fma(p, s, P1);
      p = Math.fma(p, s, P0);
      return x * p;
    }
    float v = a >= ERFC_MAX ? 1f : 1f - erfcNonNegative(a);
    return x < 0 ? -v : v;
  }

  /**
   * GELU, exact erf form, computed as {@code 0.5 x erfc(-x / sqrt 2)} (the same function): no
   * cancellation for negative x, one polynomial for all x.
   */
  public static float gelu(float x) {
    float z = x * INV_SQRT2;
    float a = Math.abs(z);
    float e = a >= ERFC_MAX ? 0f : erfcNonNegative(a);
    float t = z < 0f ? e : 2f - e;
    return 0.5f * x * t;
  }
}
