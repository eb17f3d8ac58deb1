package dev.vvtq.engine;

import java.util.ArrayList;
import java.util.List;

/** The k most probable classes of a logit vector, with softmax probabilities (for serving). */
public final class TopK {
  private TopK() {}

  /**
   * Top {@code k} of {@code logits[off, off + count)} by probability, highest first (ties: lower
   * index first); probabilities are the softmax over all {@code count} logits, computed in double.
   * {@code labels} may be null (labels are then the indices).
   */
  public static List<Prediction> of(float[] logits, int off, int count, int k, List<String> labels) {
    if (count < 1 || off < 0 || off + count > logits.length) {
      throw new IllegalArgumentException("logit range [" + off + ", " + (off + count) + ") outside an array of " + logits.length);
    }
    if (labels != null && labels.size() != count) {
      throw new IllegalArgumentException(labels.size() + " labels for " + count + " logits");
    }
    int n = Math.min(Math.max(k, 0), count);
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < count; i++) {
      max = Math.max(max, logits[off + i]);
    }
    double sum = 0;
    for (int i = 0; i < count; i++) {
      sum += Math.exp(logits[off + i] - max);
    }
    int[] best = new int[n];
    int filled = 0;
    for (int i = 0; i < count; i++) {
      float v = logits[off + i];
      if (filled < n || v > logits[off + best[filled - 1]]) {
        int j = filled < n ? filled++ : n - 1;
        while (j > 0 && v > logits[off + best[j - 1]]) {
          best[j] = best[j - 1];
          j--;
        }
        best[j] = i;
      }
    }
    List<Prediction> out = new ArrayList<>(n);
    for (int j = 0; j < n; j++) {
      int i = best[j];
      out.add(new Prediction(i, labels == null ? Integer.toString(i) : labels.get(i),
          (float) (Math.exp(logits[off + i] - max) / sum)));
    }
    return out;
  }
}
