package dev.vvtq.trainer.jobs;

import dev.vvtq.artifacts.errors.ErrorKind;
import dev.vvtq.artifacts.errors.LibraryError;

/** No job (or run) with that id. */
public final class JobNotFoundException extends RuntimeException implements LibraryError {
  public JobNotFoundException(String message) {
    super(message);
  }

  @Override
  public ErrorKind kind() {
    return ErrorKind.NOT_FOUND;
  }
}
