package dev.vvtq.artifacts.errors;

/**
 * A named thing (checkpoint, model, run, key) does not exist. An {@link IllegalArgumentException}, so that callers that treat every bad
 * argument alike (the command line) need not know the kind.
 */
public class NotFoundException extends IllegalArgumentException implements LibraryError {
  public NotFoundException(String message) {
    super(message);
  }

  public NotFoundException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public ErrorKind kind() {
    return ErrorKind.NOT_FOUND;
  }
}
