package dev.vvtq.evaluator.scoring;

/** The artifact (or evaluation) a request names is not in the store. */
public final class ArtifactMissingException extends RuntimeException {
  public ArtifactMissingException(String message) {
    super(message);
  }
}
