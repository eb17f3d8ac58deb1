package dev.vvtq.artifacts.errors;

/**
 * An artifact exists and is intact but cannot serve the job asked of it (a float checkpoint to
 * export as an integer model, a checkpoint without class names): a failed precondition, not a bad
 * request.
 */
public class UnsuitableArtifactException extends RuntimeException implements LibraryError {
  public UnsuitableArtifactException(String message) {
    super(message);
  }

  @Override
  public ErrorKind kind() {
    return ErrorKind.WRONG_STATE;
  }
}
