package dev.vvtq.artifacts.errors;

/**
 * The caller's input is wrong; the message names the field or value and what is allowed. An {@link IllegalArgumentException}, so that callers that treat every bad
 * argument alike (the command line) need not know the kind.
 */
public class InvalidInputException extends IllegalArgumentException implements LibraryError {
  public InvalidInputException(String message) {
    super(message);
  }

  public InvalidInputException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public ErrorKind kind() {
    return ErrorKind.INVALID;
  }
}
