package dev.vvtq.qat.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.vvtq.qat.distributed.GradientSync;
import dev.vvtq.qat.loss.BinRegularizer;
import dev.vvtq.qat.loss.SoftCrossEntropy;
import dev.vvtq.qat.model.QuantDeit;
import dev.vvtq.qat.nn.ForwardContext;
import dev.vvtq.qat.nn.TorchArrays;
import java.util.Map;

/**
 * One optimisation step: forward in training mode, soft cross-entropy plus lambda times the bin
 * regulariser, backward, AdamW update. Every intermediate array lives in a step-scoped manager.
 */
public final class TrainingStep {
  private TrainingStep() {}

  /** What one step measured. */
  public record Result(
      double loss, double kdLoss, double regularizer, int correctTop1, int correctTop5, int batch,
      Map<String, float[]> activationRanges) {}

  /**
   * Runs one step. Every array it creates is attached to {@code step}; put the batch there too, so
   * that closing {@code step} frees the whole step.
   *
   * @param step the manager owning this step's arrays (the caller closes it)
   * @param images normalised images [B, C, H, W]
   * @param targets soft targets [B, classes] (rows summing to 1)
   * @param labels the true labels (for accuracy), or null to measure against the targets' argmax
   * @param lambda weight of the bin regulariser; 0 skips it
   * @param dropPathSeed seed of this step's drop-path masks
   */
  public static Result run(
      QuantDeit model, AdamW optimizer, NDManager step, NDArray images, NDArray targets, int[] labels,
      double lr, double lambda, long dropPathSeed, boolean recordRanges) {
    return run(model, optimizer, GradientSync.LOCAL, 1, step, images, targets, labels, lr, lambda, dropPathSeed, recordRanges);
  }

  /**
   * {@link #run(QuantDeit, AdamW, NDManager, NDArray, NDArray, int[], double, double, long, boolean)}
   * with {@code gradients} applied between backward and the update (the average over ranks in
   * data-parallel training), where {@code images} is one of {@code batchShards} equal shards of the
   * global batch.
   */
  public static Result run(
      QuantDeit model, AdamW optimizer, GradientSync gradients, int batchShards, NDManager step, NDArray images,
      NDArray targets,
      int[] labels, double lr, double lambda, long dropPathSeed, boolean recordRanges) {
    model.attachParametersTo(step);
    boolean regularize = lambda > 0 && model.config().quantized();
    double kd;
    double reg = 0;
    double total;
    NDArray logitsCopy;
    Map<String, float[]> ranges;
    optimizer.zeroGradients();
    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      ForwardContext ctx = ForwardContext.training(step, dropPathSeed, regularize).batchShardOf(batchShards);
      if (recordRanges) {
        ctx.recordingActivationRanges();
      }
      NDArray logits = model.forward(images, ctx);
      NDArray loss = SoftCrossEntropy.loss(logits, targets);
      kd = loss.getFloat();
      if (regularize) {
        BinRegularizer.Term r = BinRegularizer.of(ctx.quantizedWeights(), step);
        reg = r.value();
        loss = loss.add(r.gradientCarrier().mul(TorchArrays.scalar(step, (float) lambda)));
      }
      total = kd + lambda * reg;
      if (!Double.isFinite(total)) {
        throw new IllegalStateException(
            "loss is " + total + " (kd " + kd + ", reg " + reg + "): training diverged; lower --lr");
      }
      gc.backward(loss);
      logitsCopy = logits.stopGradient();
      ranges = ctx.activationRanges();
    }
    gradients.synchronize(model.namedParameters().values());
    optimizer.step(lr);
    int[] truth = labels != null ? labels : argmax(targets);
    int[] hits = Accuracy.topHits(logitsCopy, truth);
    return new Result(total, kd, reg, hits[0], hits[1], truth.length, ranges);
  }

  private static int[] argmax(NDArray targets) {
    long[] idx = targets.argMax(1).toLongArray();
    int[] out = new int[idx.length];
    for (int i = 0; i < idx.length; i++) {
      out[i] = (int) idx[i];
    }
    return out;
  }
}
