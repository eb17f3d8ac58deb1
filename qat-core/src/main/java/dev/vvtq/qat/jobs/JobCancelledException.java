package dev.vvtq.qat.jobs;

/** A job stopped at a safe point because its caller asked it to; what it finished is kept. */
public final class JobCancelledException extends RuntimeException {
  public JobCancelledException(String message) {
    super(message, null, false, false);
  }
}
