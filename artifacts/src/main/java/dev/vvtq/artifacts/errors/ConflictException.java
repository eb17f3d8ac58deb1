package dev.vvtq.artifacts.errors;

/**
 * A name or id the caller chose is already taken. An {@link IllegalArgumentException}, so that callers that treat every bad
 * argument alike (the command line) need not know the kind.
 */
public class ConflictException extends IllegalArgumentException implements LibraryError {
  public ConflictException(String message) {
    super(message);
  }

  public ConflictException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public ErrorKind kind() {
    return ErrorKind.CONFLICT;
  }
}
