package dev.vvtq.artifacts.store;

/** No object under a key (or no manifest under a prefix). */
public class ArtifactNotFoundException extends ArtifactStoreException {
  public ArtifactNotFoundException(String key, String message) {
    super(key, message);
  }

  public ArtifactNotFoundException(String key, String message, Throwable cause) {
    super(key, message, cause);
  }
}
