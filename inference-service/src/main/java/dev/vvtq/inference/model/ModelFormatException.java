package dev.vvtq.inference.model;

import dev.vvtq.artifacts.errors.ErrorKind;
import dev.vvtq.artifacts.errors.LibraryError;

/** An artifact that is not a usable exported model, with the reason. */
public final class ModelFormatException extends RuntimeException implements LibraryError {
  public ModelFormatException(String message) {
    super(message);
  }

  public ModelFormatException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public ErrorKind kind() {
    return ErrorKind.WRONG_STATE;
  }
}
