package dev.vvtq.engine.model;

/**
 * An exported model folder that cannot be used: the message says where (folder, file, tensor), what
 * was found, what was expected and what to do.
 */
public class ModelFormatException extends RuntimeException {
  public ModelFormatException(String message) {
    super(message);
  }

  public ModelFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
