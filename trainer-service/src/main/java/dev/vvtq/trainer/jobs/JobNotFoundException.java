package dev.vvtq.trainer.jobs;

/** No job (or run) with that id. */
public final class JobNotFoundException extends RuntimeException {
  public JobNotFoundException(String message) {
    super(message);
  }
}
