package dev.vvtq.inference.batching;

/** The batcher no longer accepts requests (its model is being unloaded, or the server stops). */
public final class BatcherClosedException extends RuntimeException {
  public BatcherClosedException(String message) {
    super(message);
  }
}
