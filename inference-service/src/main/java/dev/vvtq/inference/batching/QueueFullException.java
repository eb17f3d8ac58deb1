package dev.vvtq.inference.batching;

/** The batcher's queue holds its capacity of requests; the request was refused without work. */
public final class QueueFullException extends RuntimeException {
  public QueueFullException(String message) {
    super(message);
  }
}
