package dev.vvtq.trainer.jobs;

import dev.vvtq.artifacts.errors.ErrorKind;
import dev.vvtq.artifacts.errors.LibraryError;

/** The request does not fit the job's (or artifact's) current state, e.g. cancelling a finished job. */
public final class JobStateException extends RuntimeException implements LibraryError {
  public JobStateException(String message) {
    super(message);
  }

  @Override
  public ErrorKind kind() {
    return ErrorKind.WRONG_STATE;
  }
}
