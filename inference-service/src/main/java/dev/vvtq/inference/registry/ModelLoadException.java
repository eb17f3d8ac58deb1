package dev.vvtq.inference.registry;

/** A model could not be loaded; {@link #reason()} classifies why. */
public final class ModelLoadException extends RuntimeException {
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
}
