package dev.vvtq.artifacts.store;

import dev.vvtq.artifacts.errors.ErrorKind;
import dev.vvtq.artifacts.errors.LibraryError;

/** No object under a key (or no manifest under a prefix). */
public class ArtifactNotFoundException extends ArtifactStoreException implements LibraryError {
  public ArtifactNotFoundException(String key, String message) {
    super(key, message);
  }

  public ArtifactNotFoundException(String key, String message, Throwable cause) {
    super(key, message, cause);
  }

  @Override
  public ErrorKind kind() {
    return ErrorKind.NOT_FOUND;
  }
}
