package dev.vvtq.inference.registry;

import dev.vvtq.artifacts.errors.ErrorKind;
import dev.vvtq.artifacts.errors.LibraryError;

/** No model of that name (or version) is registered. */
public final class ModelNotFoundException extends RuntimeException implements LibraryError {
  public ModelNotFoundException(String message) {
    super(message);
  }

  @Override
  public ErrorKind kind() {
    return ErrorKind.NOT_FOUND;
  }
}
