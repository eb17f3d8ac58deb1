package dev.vvtq.inference.registry;

/** The model is registered but not accepting requests (loading, unloading or failed). */
public final class ModelNotReadyException extends RuntimeException {
  public ModelNotReadyException(String message) {
    super(message);
  }
}
