package dev.vvtq.artifacts.store;

import java.io.IOException;

/** A store operation failed; the message names the store location and key and says what to do. */
public class ArtifactStoreException extends IOException {
  private final String key;

  public ArtifactStoreException(String key, String message) {
    super(message);
    this.key = key;
  }

  public ArtifactStoreException(String key, String message, Throwable cause) {
    super(message, cause);
    this.key = key;
  }

  /** The key concerned, or null for store-wide failures. */
  public String key() {
    return key;
  }
}
