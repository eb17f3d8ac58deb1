package dev.vvtq.inference.batching;

import dev.vvtq.artifacts.errors.ErrorKind;
import dev.vvtq.artifacts.errors.LibraryError;

/** The batcher no longer accepts requests (its model is being unloaded, or the server stops). */
public final class BatcherClosedException extends RuntimeException implements LibraryError {
  public BatcherClosedException(String message) {
    super(message);
  }

  @Override
  public ErrorKind kind() {
    return ErrorKind.UNAVAILABLE;
  }
}
