package dev.vvtq.inference.model;

/** An artifact that is not a usable exported model, with the reason. */
public final class ModelFormatException extends RuntimeException {
  public ModelFormatException(String message) {
    super(message);
  }

  public ModelFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
