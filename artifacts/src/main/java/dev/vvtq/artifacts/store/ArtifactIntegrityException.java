package dev.vvtq.artifacts.store;

import dev.vvtq.artifacts.errors.ErrorKind;
import dev.vvtq.artifacts.errors.LibraryError;

/** Stored bytes that disagree with their manifest, or a manifest that cannot be read. */
public class ArtifactIntegrityException extends ArtifactStoreException implements LibraryError {
  public ArtifactIntegrityException(String key, String message) {
    super(key, message);
  }

  public ArtifactIntegrityException(String key, String message, Throwable cause) {
    super(key, message, cause);
  }

  @Override
  public ErrorKind kind() {
    return ErrorKind.INTEGRITY;
  }
}
