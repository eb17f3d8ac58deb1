package dev.vvtq.inference.batching;

import dev.vvtq.artifacts.errors.ErrorKind;
import dev.vvtq.artifacts.errors.LibraryError;

/** The request's deadline passed while it waited in the queue; it was never computed. */
public final class DeadlineExpiredException extends RuntimeException implements LibraryError {
  public DeadlineExpiredException(String message) {
    super(message);
  }

  @Override
  public ErrorKind kind() {
    return ErrorKind.TIMED_OUT;
  }
}
