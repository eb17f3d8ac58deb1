package dev.vvtq.inference.serving;

/** Softmax probabilities and the most probable classes of one row of logits. */
public final class TopK {
  private TopK() {}

  /** Softmax of {@code logits[offset, offset + count)}, computed in double for stability. */
  public static float[] softmax(float[] logits, int offset, int count) {
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < count; i++) {
      max = Math.max(max, logits[offset + i]);
    }
    double[] e = new double[count];
    double sum = 0;
    for (int i = 0; i < count; i++) {
      e[i] = Math.exp(logits[offset + i] - max);
      sum += e[i];
    }
    float[] p = new float[count];
    for (int i = 0; i < count; i++) {
      p[i] = (float) (e[i] / sum);
    }
    return p;
  }

  /**
   * Indices of the {@code k} largest of {@code values}, largest first; ties go to the lower index,
   * as in a stable sort. {@code k} is capped at {@code values.length}.
   */
  public static int[] indices(float[] values, int k) {
    int n = Math.min(k, values.length);
    int[] best = new int[n];
    int size = 0;
    for (int i = 0; i < values.length; i++) {
      float v = values[i];
      if (size == n && !(v > values[best[n - 1]])) {
        continue;
      }
      int pos = size < n ? size++ : n - 1;
      while (pos > 0 && v > values[best[pos - 1]]) {
        best[pos] = best[pos - 1];
        pos--;
      }
      best[pos] = i;
    }
    return best;
  }
}
