package dev.vvtq.qat.telemetry;

/** Kurtosis (fourth standardised moment, 3 for a Gaussian) of a weight tensor. */
public final class WeightKurtosis {
  private WeightKurtosis() {}

  /** E[(w - mean)^4] / Var(w)^2, 0 for a constant tensor. */
  public static double of(float[] w) {
    double mean = 0;
    for (float v : w) {
      mean += v;
    }
    mean /= w.length;
    double m2 = 0;
    double m4 = 0;
    for (float v : w) {
      double d = v - mean;
      double d2 = d * d;
      m2 += d2;
      m4 += d2 * d2;
    }
    m2 /= w.length;
    m4 /= w.length;
    return m2 == 0 ? 0 : m4 / (m2 * m2);
  }
}
