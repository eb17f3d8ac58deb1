package dev.vvtq.qat.quant;

/**
 * MSE-style fixed-point initialisation of a weight step (VVTQ-METHOD section 1): start at max|w|/Qp,
 * then alternate the optimal rounding and the least-squares step until the step moves by less than
 * 1e-5 relative.
 */
public final class StepSizeInit {
  /** Relative change under which the iteration has converged. */
  public static final double TOLERANCE = 1e-5;

  private static final int MAX_ITERATIONS = 10_000;

  private StepSizeInit() {}

  /** The converged step for {@code values[from, to)}; fails loudly if it is not finite. */
  public static double mseStep(float[] values, int from, int to, QuantRange range, String what) {
    double maxAbs = 0;
    for (int i = from; i < to; i++) {
      maxAbs = Math.max(maxAbs, Math.abs(values[i]));
    }
    if (maxAbs == 0) {
      // An all-zero weight quantizes exactly with any step; keep the smallest allowed one.
      return WeightQuantizer.MIN_STEP;
    }
    double alpha = maxAbs / range.qp();
    for (int it = 0; it < MAX_ITERATIONS; it++) {
      double wq = 0;
      double qq = 0;
      for (int i = from; i < to; i++) {
        double q = Math.rint(Math.min(Math.max(values[i] / alpha, range.qn()), range.qp()));
        wq += values[i] * q;
        qq += q * q;
      }
      double next = wq / qq;
      if (!Double.isFinite(next) || next <= 0) {
        throw new IllegalStateException(
            what + ": MSE step initialisation produced a non-finite or non-positive step (" + next
                + "); check the weights for NaN/Inf");
      }
      double change = Math.abs(next - alpha) / next;
      alpha = next;
      if (change < TOLERANCE) {
        return alpha;
      }
    }
    throw new IllegalStateException(
        what + ": MSE step initialisation did not converge in " + MAX_ITERATIONS + " iterations");
  }
}
