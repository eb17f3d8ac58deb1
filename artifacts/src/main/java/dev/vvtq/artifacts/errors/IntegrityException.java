package dev.vvtq.artifacts.errors;

/** Data on disk or in the store disagrees with its manifest or cannot be read: it is corrupt. */
public class IntegrityException extends RuntimeException implements LibraryError {
  public IntegrityException(String message) {
    super(message);
  }

  public IntegrityException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public ErrorKind kind() {
    return ErrorKind.INTEGRITY;
  }
}
