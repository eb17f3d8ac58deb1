package dev.vvtq.inference.batching;

import dev.vvtq.artifacts.errors.ErrorKind;
import dev.vvtq.artifacts.errors.LibraryError;

/** The caller gave up on the request (call cancelled) while it was queued; it was never computed. */
public final class RequestCancelledException extends RuntimeException implements LibraryError {
  public RequestCancelledException(String message) {
    super(message);
  }

  @Override
  public ErrorKind kind() {
    return ErrorKind.CANCELLED;
  }
}
