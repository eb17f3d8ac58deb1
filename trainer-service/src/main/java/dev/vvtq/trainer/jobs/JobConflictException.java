package dev.vvtq.trainer.jobs;

/** What a request would create exists already (a run id, a soft-label name, an exported model). */
public final class JobConflictException extends RuntimeException {
  public JobConflictException(String message) {
    super(message);
  }
}
