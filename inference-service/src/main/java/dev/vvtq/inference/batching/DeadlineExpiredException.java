package dev.vvtq.inference.batching;

/** The request's deadline passed while it waited in the queue; it was never computed. */
public final class DeadlineExpiredException extends RuntimeException {
  public DeadlineExpiredException(String message) {
    super(message);
  }
}
