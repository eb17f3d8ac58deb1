package dev.vvtq.artifacts.store;

/** An artifact is published already under the key a job would write, and the job may not replace it. */
public class ArtifactConflictException extends RuntimeException {
  public ArtifactConflictException(String message) {
    super(message);
  }
}
