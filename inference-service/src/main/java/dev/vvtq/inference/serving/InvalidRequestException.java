package dev.vvtq.inference.serving;

/** A request that cannot be served as sent; the message says exactly what is wrong. */
public final class InvalidRequestException extends RuntimeException {
  public InvalidRequestException(String message) {
    super(message);
  }

  public InvalidRequestException(String message, Throwable cause) {
    super(message, cause);
  }
}
