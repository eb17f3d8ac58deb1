package dev.vvtq.qat.eval;

import java.util.List;

/**
 * Top-1 / top-5 accuracy over a split, with per-class accuracy and the confusion matrix (rows: true
 * class, columns: predicted class).
 *
 * @param top1 percent
 * @param top5 percent
 * @param loss mean cross-entropy against the labels
 */
public record EvaluationResult(
    long images, double top1, double top5, double loss, List<String> classNames, double[] perClassTop1,
    long[][] confusion, double seconds) {

  /** The reference's summary line, {@code " * Acc@1 X Acc@5 Y"}. */
  public String referenceLine() {
    return String.format(java.util.Locale.ROOT, " * Acc@1 %.3f Acc@5 %.3f", top1, top5);
  }

  /** Images per second of the evaluation. */
  public double imagesPerSecond() {
    return seconds > 0 ? images / seconds : 0;
  }
}
