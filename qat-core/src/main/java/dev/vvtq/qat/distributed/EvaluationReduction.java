package dev.vvtq.qat.distributed;

import dev.vvtq.qat.eval.EvaluationResult;

/**
 * Combines the evaluations of disjoint validation shards into the evaluation of their union: counts
 * (images, top-5 hits, the confusion matrix) and the loss sum are summed over the ranks, so top-1
 * is what one process evaluating every image reports.
 */
public final class EvaluationReduction {
  private EvaluationReduction() {}

  /** The union's result on every rank; {@code local} itself in one process. */
  public static EvaluationResult sum(EvaluationResult local, ProcessGroup group) {
    if (group.size() == 1) {
      return local;
    }
    long[][] confusion = local.confusion();
    int classes = confusion.length;
    double[] v = new double[3 + classes * classes];
    v[0] = local.images();
    v[1] = Math.rint(local.top5() * local.images() / 100.0);
    v[2] = local.loss() * local.images();
    for (int i = 0; i < classes; i++) {
      for (int j = 0; j < classes; j++) {
        v[3 + i * classes + j] = confusion[i][j];
      }
    }
    group.sumInPlace(v);
    long images = (long) v[0];
    long[][] merged = new long[classes][classes];
    long top1 = 0;
    double[] perClass = new double[classes];
    for (int i = 0; i < classes; i++) {
      long n = 0;
      for (int j = 0; j < classes; j++) {
        merged[i][j] = (long) v[3 + i * classes + j];
        n += merged[i][j];
      }
      top1 += merged[i][i];
      perClass[i] = n == 0 ? Double.NaN : 100.0 * merged[i][i] / n;
    }
    double denom = Math.max(1, images);
    return new EvaluationResult(images, 100.0 * top1 / denom, 100.0 * (long) v[1] / denom, v[2] / denom,
        local.classNames(), perClass, merged, local.seconds());
  }
}
