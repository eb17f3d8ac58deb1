package dev.vvtq.engine;

/** A backend that was asked for by name cannot run here (its native library did not load, say). */
public final class BackendUnavailableException extends RuntimeException {
  public BackendUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
