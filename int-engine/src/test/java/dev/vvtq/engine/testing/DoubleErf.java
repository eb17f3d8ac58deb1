package dev.vvtq.engine.testing;

/**
 * erf in double precision for the reference forward pass (Java has none): Taylor series below 3
 * (relative error about 1e-13 there), Lentz's continued fraction for erfc above.
 */
public final class DoubleErf {
  private DoubleErf() {}

  private static final double TWO_OVER_SQRT_PI = 1.1283791670955126;

  public static double erf(double x) {
    double a = Math.abs(x);
    double r;
    if (a < 3) {
      double x2 = a * a;
      double term = a;
      double sum = a;
      for (int n = 1; n < 200; n++) {
        term *= -x2 / n;
        double add = term / (2 * n + 1);
        sum += add;
        if (Math.abs(add) < 1e-17 * Math.abs(sum)) {
          break;
        }
      }
      r = sum * TWO_OVER_SQRT_PI;
    } else {
      r = 1 - erfcLarge(a);
    }
    return x < 0 ? -r : r;
  }

  /** erfc(a) for a >= 3: exp(-a^2) / sqrt(pi) / (a + 1/2 / (a + 1 / (a + 3/2 / (a + ...)))). */
  private static double erfcLarge(double a) {
    double tiny = 1e-300;
    double f = a;
    double c = a;
    double d = 0;
    for (int i = 1; i < 300; i++) {
      double an = i / 2.0;
      d = a + an * d;
      d = Math.abs(d) < tiny ? tiny : d;
      c = a + an / c;
      c = Math.abs(c) < tiny ? tiny : c;
      d = 1 / d;
      double delta = c * d;
      f *= delta;
      if (Math.abs(delta - 1) < 1e-16) {
        break;
      }
    }
    return Math.exp(-a * a) / Math.sqrt(Math.PI) / f;
  }

  /** GELU, exact erf form, in double. */
  public static double gelu(double x) {
    return 0.5 * x * (1 + erf(x / Math.sqrt(2)));
  }
}
