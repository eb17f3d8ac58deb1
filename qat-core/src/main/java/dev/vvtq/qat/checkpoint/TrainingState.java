package dev.vvtq.qat.checkpoint;

/**
 * Where a run stands, saved with every checkpoint so a resume continues exactly: the epoch being
 * trained, how many batches of the current loader pass are done, the global step, and the best
 * validation accuracy so far.
 *
 * @param epoch the first epoch of the loader pass in progress (or the next one when {@code
 *     batchInPass} is 0)
 * @param batchInPass batches already trained in that pass
 * @param globalStep optimizer steps taken since the start of the run
 * @param bestTop1 best validation top-1 so far (percent), or -1
 * @param bestStep global step of the best checkpoint, or -1
 */
public record TrainingState(int epoch, int batchInPass, long globalStep, double bestTop1, long bestStep) {
  /** The state of a run that has not started. */
  public static TrainingState start() {
    return new TrainingState(0, 0, 0, -1, -1);
  }
}
