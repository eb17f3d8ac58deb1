package dev.vvtq.qat.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.vvtq.qat.data.Batch;
import dev.vvtq.qat.data.DataLoader;
import dev.vvtq.qat.model.QuantDeit;
import dev.vvtq.qat.nn.ForwardContext;
import dev.vvtq.qat.nn.NoGrad;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/** Top-1 / top-5 evaluation of a fake-quantized (or float) model over an evaluation loader. */
public final class Evaluator {
  private Evaluator() {}

  /**
   * Runs the model over every batch of {@code loader} (evaluation transform: resize shorter side,
   * centre crop, normalise).
   *
   * @param progress called with the number of images done after each batch (may be null)
   */
  public static EvaluationResult evaluate(
      QuantDeit model, DataLoader loader, List<String> classNames, LongConsumer progress) {
    return evaluateTracked(model, loader, classNames, progress == null ? null : acc -> progress.accept(acc.images()));
  }

  /**
   * {@link #evaluate} with the accumulator handed to {@code afterBatch} after each batch, so a caller
   * can report the running accuracy (services stream it); the callback must not keep it.
   */
  public static EvaluationResult evaluateTracked(
      QuantDeit model, DataLoader loader, List<String> classNames, Consumer<AccuracyAccumulator> afterBatch) {
    long start = System.nanoTime();
    AccuracyAccumulator acc = new AccuracyAccumulator(model.config().numClasses());
    try (NoGrad ignored = NoGrad.enter(); NDManager scope = model.manager().newSubManager()) {
      try (DataLoader.EpochIterator it = loader.epoch(0, scope)) {
        while (it.hasNext()) {
          try (NDManager step = scope.newSubManager()) {
            Batch batch = it.next(step);
            model.attachParametersTo(step);
            NDArray logits = model.forward(batch.images(), ForwardContext.eval(step));
            acc.add(logits.toFloatArray(), toInts(batch.labels().toLongArray()));
          }
          if (afterBatch != null) {
            afterBatch.accept(acc);
          }
        }
      }
    }
    return acc.result(classNames, (System.nanoTime() - start) / 1e9);
  }

  static int[] toInts(long[] values) {
    int[] out = new int[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (int) values[i];
    }
    return out;
  }
}
