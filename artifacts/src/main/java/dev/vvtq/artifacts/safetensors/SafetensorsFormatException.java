package dev.vvtq.artifacts.safetensors;

import dev.vvtq.artifacts.errors.ErrorKind;
import dev.vvtq.artifacts.errors.LibraryError;

/** A file that does not follow the safetensors format; the message names the file, tensor and problem. */
public class SafetensorsFormatException extends RuntimeException implements LibraryError {
  public SafetensorsFormatException(String message) {
    super(message);
  }

  public SafetensorsFormatException(String message, Throwable cause) {
    super(message, cause);
  }

  /** Malformed stored data: the file is corrupt or not what its name says. */
  @Override
  public ErrorKind kind() {
    return ErrorKind.INTEGRITY;
  }
}
