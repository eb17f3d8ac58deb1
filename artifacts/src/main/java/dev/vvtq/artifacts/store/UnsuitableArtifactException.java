package dev.vvtq.artifacts.store;

/**
 * An artifact exists and is intact but cannot serve the job asked of it (a float checkpoint to
 * export as an integer model, a checkpoint without class names): a failed precondition, not a bad
 * request.
 */
public class UnsuitableArtifactException extends RuntimeException {
  public UnsuitableArtifactException(String message) {
    super(message);
  }
}
