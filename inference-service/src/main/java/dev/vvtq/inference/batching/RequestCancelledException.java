package dev.vvtq.inference.batching;

/** The caller gave up on the request (call cancelled) while it was queued; it was never computed. */
public final class RequestCancelledException extends RuntimeException {
  public RequestCancelledException(String message) {
    super(message);
  }
}
