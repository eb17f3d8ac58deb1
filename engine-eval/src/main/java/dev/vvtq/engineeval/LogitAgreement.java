package dev.vvtq.engineeval;

import java.util.Locale;

/**
 * How closely two models' logits agree on the same images: per image, the largest absolute
 * difference relative to the reference's logit range (max - min), the worst over all images, whether
 * the top-1 classes agree, and each model's top-1 accuracy when labels are given.
 */
public final class LogitAgreement {
  private final int classes;
  private long images;
  private long top1Agree;
  private long referenceHits;
  private long candidateHits;
  private long labelled;
  private double worstRelative;
  private double worstAbsolute;
  private long worstImage = -1;
  private double sumRelative;

  public LogitAgreement(int classes) {
    if (classes < 1) {
      throw new IllegalArgumentException("classes must be >= 1, got " + classes);
    }
    this.classes = classes;
  }

  /**
   * Adds {@code count} images: {@code reference} and {@code candidate} hold {@code count x classes}
   * logits each; {@code labels} may be null.
   */
  public void add(float[] reference, float[] candidate, int count, int[] labels) {
    if (reference.length < count * classes || candidate.length < count * classes) {
      throw new IllegalArgumentException("logit arrays of " + reference.length + " and " + candidate.length
          + " floats for " + count + " x " + classes);
    }
    for (int b = 0; b < count; b++) {
      int off = b * classes;
      float min = Float.POSITIVE_INFINITY;
      float max = Float.NEGATIVE_INFINITY;
      double diff = 0;
      for (int c = 0; c < classes; c++) {
        float r = reference[off + c];
        min = Math.min(min, r);
        max = Math.max(max, r);
        diff = Math.max(diff, Math.abs((double) r - candidate[off + c]));
      }
      double range = (double) max - min;
      double rel = range > 0 ? diff / range : diff == 0 ? 0 : Double.POSITIVE_INFINITY;
      if (rel > worstRelative || worstImage < 0) {
        worstRelative = rel;
        worstImage = images;
      }
      worstAbsolute = Math.max(worstAbsolute, diff);
      sumRelative += rel;
      int a = argmax(reference, off);
      int k = argmax(candidate, off);
      if (a == k) {
        top1Agree++;
      }
      if (labels != null) {
        labelled++;
        referenceHits += a == labels[b] ? 1 : 0;
        candidateHits += k == labels[b] ? 1 : 0;
      }
      images++;
    }
  }

  private int argmax(float[] v, int off) {
    return argmax(v, off, classes);
  }

  private static int argmax(float[] v, int off, int classes) {
    int best = 0;
    for (int c = 1; c < classes; c++) {
      if (v[off + c] > v[off + best]) {
        best = c;
      }
    }
    return best;
  }

  /** The class with the largest logit of one image (the first on a tie). */
  public static int argmax(float[] logits) {
    return argmax(logits, 0, logits.length);
  }

  /** One image's largest |difference| relative to the reference's logit range, as {@link #worstRelativeDiff}. */
  public static double relativeDiff(float[] reference, float[] candidate) {
    LogitAgreement a = new LogitAgreement(reference.length);
    a.add(reference, candidate, 1, null);
    return a.worstRelative;
  }

  /** Largest |difference| of one image divided by the reference's logit range of that image, over all images. */
  public double worstRelativeDiff() {
    return worstRelative;
  }

  /** Index (in the order added) of the image with {@link #worstRelativeDiff()}. */
  public long worstImage() {
    return worstImage;
  }

  /** Largest absolute logit difference over all images. */
  public double worstAbsoluteDiff() {
    return worstAbsolute;
  }

  /** Mean over images of the per-image relative difference. */
  public double meanRelativeDiff() {
    return images == 0 ? 0 : sumRelative / images;
  }

  public long images() {
    return images;
  }

  /** Images whose top-1 class is the same for both. */
  public long top1Agreements() {
    return top1Agree;
  }

  /** Percentage of images whose top-1 class is the same for both. */
  public double top1AgreementPercent() {
    return images == 0 ? 100 : 100.0 * top1Agree / images;
  }

  /** Top-1 accuracy (percent) of the reference over the labelled images. */
  public double referenceTop1() {
    return labelled == 0 ? Double.NaN : 100.0 * referenceHits / labelled;
  }

  /** Top-1 accuracy (percent) of the candidate over the labelled images. */
  public double candidateTop1() {
    return labelled == 0 ? Double.NaN : 100.0 * candidateHits / labelled;
  }

  /** One line with every figure. */
  public String summary() {
    String s = String.format(Locale.ROOT, "%d images: max |diff| / logit range %.3g (image %d; max |diff| %.3g,"
        + " mean relative %.3g); top-1 agreement %.3f %% (%d of %d)", images, worstRelative, worstImage,
        worstAbsolute, meanRelativeDiff(), top1AgreementPercent(), top1Agree, images);
    if (labelled > 0) {
      s += String.format(Locale.ROOT, "; top-1 reference %.2f %%, candidate %.2f %% (difference %.2f points)",
          referenceTop1(), candidateTop1(), candidateTop1() - referenceTop1());
    }
    return s;
  }
}
