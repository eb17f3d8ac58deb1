package dev.vvtq.inference.serving;

import dev.vvtq.artifacts.errors.ErrorKind;
import dev.vvtq.artifacts.errors.LibraryError;

/** A request that cannot be served as sent; the message says exactly what is wrong. */
public final class InvalidRequestException extends RuntimeException implements LibraryError {
  public InvalidRequestException(String message) {
    super(message);
  }

  public InvalidRequestException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public ErrorKind kind() {
    return ErrorKind.INVALID;
  }
}
