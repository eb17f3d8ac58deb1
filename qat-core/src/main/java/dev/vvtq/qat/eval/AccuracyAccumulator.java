package dev.vvtq.qat.eval;

import java.util.List;

/** Accumulates top-1/top-5 hits, per-class counts and the confusion matrix from logits. */
public final class AccuracyAccumulator {
  private final int classes;
  private final long[][] confusion;
  private long images;
  private long top1;
  private long top5;
  private double lossSum;

  public AccuracyAccumulator(int classes) {
    this.classes = classes;
    this.confusion = new long[classes][classes];
  }

  /** Adds a batch of logits [n, classes] (row-major) with their labels. */
  public void add(float[] logits, int[] labels) {
    if (logits.length != labels.length * classes) {
      throw new IllegalArgumentException(
          "logits hold " + logits.length + " values, expected " + labels.length + " x " + classes);
    }
    for (int b = 0; b < labels.length; b++) {
      int off = b * classes;
      int label = labels[b];
      float v = logits[off + label];
      int higher = 0;
      int argmax = 0;
      double max = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < classes; c++) {
        float x = logits[off + c];
        if (x > v) {
          higher++;
        }
        if (x > max) {
          max = x;
          argmax = c;
        }
      }
      double sumExp = 0;
      for (int c = 0; c < classes; c++) {
        sumExp += Math.exp(logits[off + c] - max);
      }
      lossSum += -(v - max - Math.log(sumExp));
      if (argmax == label) {
        top1++;
      }
      if (higher < 5) {
        top5++;
      }
      confusion[label][argmax]++;
      images++;
    }
  }

  /** The result so far. */
  public EvaluationResult result(List<String> classNames, double seconds) {
    double[] perClass = new double[classes];
    for (int c = 0; c < classes; c++) {
      long n = 0;
      for (long x : confusion[c]) {
        n += x;
      }
      perClass[c] = n == 0 ? Double.NaN : 100.0 * confusion[c][c] / n;
    }
    long[][] copy = new long[classes][];
    for (int c = 0; c < classes; c++) {
      copy[c] = confusion[c].clone();
    }
    double denom = Math.max(1, images);
    return new EvaluationResult(images, 100.0 * top1 / denom, 100.0 * top5 / denom, lossSum / denom,
        classNames, perClass, copy, seconds);
  }

  /** Images counted so far. */
  public long images() {
    return images;
  }
}
