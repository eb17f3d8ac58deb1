package dev.vvtq.evaluator.scoring;

import dev.vvtq.artifacts.errors.ErrorKind;
import dev.vvtq.artifacts.errors.LibraryError;

/** The artifact (or evaluation) a request names is not in the store. */
public final class ArtifactMissingException extends RuntimeException implements LibraryError {
  public ArtifactMissingException(String message) {
    super(message);
  }

  @Override
  public ErrorKind kind() {
    return ErrorKind.NOT_FOUND;
  }
}
