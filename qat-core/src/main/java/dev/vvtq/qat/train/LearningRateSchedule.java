package dev.vvtq.qat.train;

/**
 * Cosine learning-rate schedule with linear warm-up, evaluated per step (timm's scheduler steps per
 * epoch; per-step updates keep short CPU runs smooth and give the same curve over long ones).
 *
 * @param totalSteps steps of the whole run
 * @param warmupSteps steps of the linear warm-up from {@code warmupLr} to {@code lr}
 */
public record LearningRateSchedule(double lr, double minLr, double warmupLr, long warmupSteps, long totalSteps) {

  public LearningRateSchedule {
    if (!(lr > 0) || minLr < 0 || minLr > lr) {
      throw new IllegalArgumentException("need lr > 0 and 0 <= min-lr <= lr, got lr " + lr + ", min-lr " + minLr);
    }
    if (totalSteps < 1 || warmupSteps < 0 || warmupSteps > totalSteps) {
      throw new IllegalArgumentException(
          "need 0 <= warm-up steps (" + warmupSteps + ") <= total steps (" + totalSteps + ")");
    }
  }

  /** The learning rate of step {@code step} (0-based). */
  public double at(long step) {
    if (step < warmupSteps) {
      return warmupLr + (lr - warmupLr) * step / (double) warmupSteps;
    }
    long span = Math.max(1, totalSteps - warmupSteps);
    double t = Math.min(1.0, (step - warmupSteps) / (double) span);
    return minLr + 0.5 * (lr - minLr) * (1 + Math.cos(Math.PI * t));
  }
}
