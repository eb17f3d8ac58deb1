package dev.vvtq.qat.train;

import ai.djl.ndarray.NDArray;

/** Top-1 / top-5 hit counting on logits. */
public final class Accuracy {
  private Accuracy() {}

  /** [top-1 hits, top-5 hits] of logits [B, C] against labels. */
  public static int[] topHits(NDArray logits, int[] labels) {
    int classes = (int) logits.getShape().get(1);
    float[] l = logits.toFloatArray();
    int top1 = 0;
    int top5 = 0;
    for (int b = 0; b < labels.length; b++) {
      int rank = rankOf(l, b * classes, classes, labels[b]);
      if (rank == 0) {
        top1++;
      }
      if (rank < 5) {
        top5++;
      }
    }
    return new int[] {top1, top5};
  }

  /** How many classes score strictly higher than {@code label} (ties resolved in the label's favour). */
  public static int rankOf(float[] logits, int offset, int classes, int label) {
    float v = logits[offset + label];
    int higher = 0;
    for (int c = 0; c < classes; c++) {
      if (logits[offset + c] > v) {
        higher++;
      }
    }
    return higher;
  }
}
