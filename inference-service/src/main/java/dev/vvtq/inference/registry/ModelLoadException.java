package dev.vvtq.inference.registry;

import dev.vvtq.artifacts.errors.ErrorKind;
import dev.vvtq.artifacts.errors.LibraryError;

/** A model could not be loaded; {@link #reason()} classifies why. */
public final class ModelLoadException extends RuntimeException implements LibraryError {
  /** Why a load failed. */
  public enum Reason {
    /** The store has no published model under the key (no manifest). */
    NOT_FOUND,
    /** A file did not match the manifest's size or SHA-256. */
    INTEGRITY,
    /** The artifact is not a servable exported model. */
    FORMAT,
    /** The store could not be read. */
    STORE,
    /** The engine failed to open or warm up the model. */
    ENGINE
  }

  private final Reason reason;

  public ModelLoadException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }

  @Override
  public ErrorKind kind() {
    return switch (reason) {
      case NOT_FOUND -> ErrorKind.NOT_FOUND;
      case INTEGRITY -> ErrorKind.INTEGRITY;
      case FORMAT -> ErrorKind.WRONG_STATE;
      case STORE -> ErrorKind.UNAVAILABLE;
      case ENGINE -> ErrorKind.INTERNAL;
    };
  }
}
