package dev.vvtq.artifacts.manifest;

import dev.vvtq.artifacts.errors.ErrorKind;
import dev.vvtq.artifacts.errors.LibraryError;

/** A manifest that is not valid JSON or lacks a required field; the message names the source. */
public class ManifestFormatException extends RuntimeException implements LibraryError {
  public ManifestFormatException(String message) {
    super(message);
  }

  public ManifestFormatException(String message, Throwable cause) {
    super(message, cause);
  }

  /** Malformed stored data: the file is corrupt or not what its name says. */
  @Override
  public ErrorKind kind() {
    return ErrorKind.INTEGRITY;
  }
}
