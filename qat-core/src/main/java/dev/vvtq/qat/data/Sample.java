package dev.vvtq.qat.data;

/**
 * One training or evaluation example: a normalised {@code [3, H, W]} float image and its target,
 * either a class {@code label} or, for distillation, a {@code softTarget} over all classes (then
 * {@code label} is still the ground-truth class).
 */
public record Sample(float[] image, int label, float[] softTarget) {
  /** A sample with a hard label only. */
  public static Sample labelled(float[] image, int label) {
    return new Sample(image, label, null);
  }
}
