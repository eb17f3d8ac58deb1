package dev.vvtq.trainer.jobs;

import dev.vvtq.artifacts.errors.ErrorKind;
import dev.vvtq.artifacts.errors.LibraryError;

/** What a request would create exists already (a run id, a soft-label name, an exported model). */
public final class JobConflictException extends RuntimeException implements LibraryError {
  public JobConflictException(String message) {
    super(message);
  }

  @Override
  public ErrorKind kind() {
    return ErrorKind.CONFLICT;
  }
}
