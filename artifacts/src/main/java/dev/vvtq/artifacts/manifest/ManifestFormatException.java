package dev.vvtq.artifacts.manifest;

/** A manifest that is not valid JSON or lacks a required field; the message names the source. */
public class ManifestFormatException extends RuntimeException {
  public ManifestFormatException(String message) {
    super(message);
  }

  public ManifestFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
