package dev.vvtq.qat.train;

/**
 * One loader pass of a run and the validation after it: a line of the metrics history.
 *
 * @param epoch 0-based first epoch of the pass
 * @param epochs epochs the pass covers (num_crops for a multi-crop pass, else 1)
 * @param valTop1 validation top-1 in percent
 */
public record EpochRecord(
    int epoch, int epochs, long step, double trainLoss, double trainKdLoss, double trainRegularizer,
    double trainTop1, double trainTop5, double valTop1, double valTop5, double valLoss, double lr,
    double lambda, double oscillatingFraction, double imagesPerSecond, double seconds, String checkpoint) {

  /** The same record naming the checkpoint written after it. */
  public EpochRecord withCheckpoint(String prefix) {
    return new EpochRecord(epoch, epochs, step, trainLoss, trainKdLoss, trainRegularizer, trainTop1, trainTop5,
        valTop1, valTop5, valLoss, lr, lambda, oscillatingFraction, imagesPerSecond, seconds, prefix);
  }

  /** Epochs done after this pass. */
  public int epochsDone() {
    return epoch + epochs;
  }
}
