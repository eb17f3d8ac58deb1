package dev.vvtq.artifacts.store;

/** Stored bytes that disagree with their manifest, or a manifest that cannot be read. */
public class ArtifactIntegrityException extends ArtifactStoreException {
  public ArtifactIntegrityException(String key, String message) {
    super(key, message);
  }

  public ArtifactIntegrityException(String key, String message, Throwable cause) {
    super(key, message, cause);
  }
}
