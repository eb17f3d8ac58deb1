package dev.vvtq.qat.train;

import dev.vvtq.qat.distributed.ProcessGroup;

/**
 * The running sums of one pass (loss, KD loss, regulariser, top-1/top-5 hits, samples) over every
 * rank (one small all-reduce per step), so that the logs show the global batch's figures.
 */
final class StepTotals {
  private final ProcessGroup group;
  private final double[] step = new double[6];
  private double lossSum;
  private double kdSum;
  private double regSum;
  private long hits1;
  private long hits5;
  private long seen;

  StepTotals(ProcessGroup group) {
    this.group = group;
  }

  /** Adds this step's result of every rank. */
  void add(TrainingStep.Result r) {
    step[0] = r.loss() * r.batch();
    step[1] = r.kdLoss() * r.batch();
    step[2] = r.regularizer() * r.batch();
    step[3] = r.correctTop1();
    step[4] = r.correctTop5();
    step[5] = r.batch();
    group.sumInPlace(step);
    lossSum += step[0];
    kdSum += step[1];
    regSum += step[2];
    hits1 += (long) step[3];
    hits5 += (long) step[4];
    seen += (long) step[5];
  }

  /** Samples of every rank so far. */
  long seen() {
    return seen;
  }

  /** Samples of every rank in the last step. */
  long lastBatch() {
    return (long) step[5];
  }

  double meanLoss() {
    return lossSum / Math.max(1, seen);
  }

  double meanKd() {
    return kdSum / Math.max(1, seen);
  }

  double meanReg() {
    return regSum / Math.max(1, seen);
  }

  double top1() {
    return 100.0 * hits1 / Math.max(1, seen);
  }

  double top5() {
    return 100.0 * hits5 / Math.max(1, seen);
  }
}
