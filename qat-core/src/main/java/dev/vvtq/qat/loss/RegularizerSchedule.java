package dev.vvtq.qat.loss;

/**
 * The weight of the bin regulariser over training: 0 for the first quarter, then a cosine ramp from
 * 0 to {@link #MAX_LAMBDA} at the end (VVTQ-METHOD section 4).
 */
public record RegularizerSchedule(double totalEpochs) {
  /** The final weight. */
  public static final double MAX_LAMBDA = 0.01;

  public RegularizerSchedule {
    if (!(totalEpochs > 0)) {
      throw new IllegalArgumentException("total epochs must be > 0, got " + totalEpochs);
    }
  }

  /** Lambda at epoch {@code t} (may be fractional). */
  public double lambda(double t) {
    double start = 0.25 * totalEpochs;
    if (t < start) {
      return 0;
    }
    double rel = (t - start) / (0.75 * totalEpochs);
    return MAX_LAMBDA + 0.5 * (0 - MAX_LAMBDA) * (1 + Math.cos(Math.PI * rel));
  }
}
