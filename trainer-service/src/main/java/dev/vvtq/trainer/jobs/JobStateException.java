package dev.vvtq.trainer.jobs;

/** The request does not fit the job's (or artifact's) current state, e.g. cancelling a finished job. */
public final class JobStateException extends RuntimeException {
  public JobStateException(String message) {
    super(message);
  }
}
