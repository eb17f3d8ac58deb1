package dev.vvtq.artifacts.safetensors;

/** A file that does not follow the safetensors format; the message names the file, tensor and problem. */
public class SafetensorsFormatException extends RuntimeException {
  public SafetensorsFormatException(String message) {
    super(message);
  }

  public SafetensorsFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
