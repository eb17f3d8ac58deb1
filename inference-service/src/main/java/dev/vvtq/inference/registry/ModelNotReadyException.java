package dev.vvtq.inference.registry;

import dev.vvtq.artifacts.errors.ErrorKind;
import dev.vvtq.artifacts.errors.LibraryError;

/** The model is registered but not accepting requests (loading, unloading or failed). */
public final class ModelNotReadyException extends RuntimeException implements LibraryError {
  public ModelNotReadyException(String message) {
    super(message);
  }

  @Override
  public ErrorKind kind() {
    return ErrorKind.UNAVAILABLE;
  }
}
