package dev.vvtq.qat.data;

/** A batch could not be prepared; the message names the epoch, the batch and the failing item. */
public final class DataLoadingException extends RuntimeException {
  public DataLoadingException(String message, Throwable cause) {
    super(message, cause);
  }
}
