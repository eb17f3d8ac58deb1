package dev.vvtq.inference.serving;

import dev.vvtq.inference.batching.DynamicBatcher;
import dev.vvtq.inference.registry.LoadedModel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Serves one request: takes a queue slot of the model first (so an overloaded model refuses at once,
 * before any work), prepares the inputs on the preparation pool (decoding images is the costly
 * part), then hands them to the model's batcher.
 */
public final class InferencePipeline {
  private final Executor prepareExecutor;

  /** @param prepareExecutor runs input preparation, off the gRPC threads */
  public InferencePipeline(Executor prepareExecutor) {
    this.prepareExecutor = prepareExecutor;
  }

  /**
   * Runs {@code n} items through {@code model}.
   *
   * @param inputs prepares {@code [n, 3, size, size]} floats; may throw {@link InvalidRequestException}
   * @param deadlineNanos {@link System#nanoTime()} after which the request is dropped unless computing
   *     already; {@link Long#MAX_VALUE} for none
   * @return the logits, or a failure with this package's, the batcher's or the registry's exceptions
   * @throws dev.vvtq.inference.batching.QueueFullException synchronously when the model's queue is full
   * @throws dev.vvtq.inference.batching.BatcherClosedException synchronously when it is unloading
   */
  public CompletableFuture<InferenceOutcome> submit(LoadedModel model, int n, Supplier<float[]> inputs,
      long deadlineNanos, BooleanSupplier cancelled) {
    DynamicBatcher.Reservation reservation = model.batcher().reserve();
    int classes = model.description().numClasses();
    CompletableFuture<InferenceOutcome> result = new CompletableFuture<>();
    Runnable prepareAndSubmit = () -> {
      long start = System.nanoTime();
      float[] prepared;
      try {
        prepared = inputs.get();
      } catch (RuntimeException e) {
        reservation.release();
        result.completeExceptionally(e);
        return;
      }
      long prepareNanos = System.nanoTime() - start;
      reservation.submit(prepared, n, deadlineNanos, cancelled).whenComplete((batch, failure) -> {
        if (failure != null) {
          result.completeExceptionally(failure instanceof CompletionException ? failure.getCause() : failure);
        } else {
          result.complete(new InferenceOutcome(batch.outputs(), n, classes, batch, prepareNanos));
        }
      });
    };
    try {
      prepareExecutor.execute(prepareAndSubmit);
    } catch (RejectedExecutionException e) {
      reservation.release();
      throw new dev.vvtq.inference.batching.BatcherClosedException("the server is shutting down: " + e.getMessage());
    }
    return result;
  }
}
