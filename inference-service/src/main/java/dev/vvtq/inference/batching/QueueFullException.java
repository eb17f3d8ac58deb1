package dev.vvtq.inference.batching;

import dev.vvtq.artifacts.errors.ErrorKind;
import dev.vvtq.artifacts.errors.LibraryError;

/** The batcher's queue holds its capacity of requests; the request was refused without work. */
public final class QueueFullException extends RuntimeException implements LibraryError {
  public QueueFullException(String message) {
    super(message);
  }

  @Override
  public ErrorKind kind() {
    return ErrorKind.BUSY;
  }
}
