package dev.vvtq.inference.registry;

/** No model of that name (or version) is registered. */
public final class ModelNotFoundException extends RuntimeException {
  public ModelNotFoundException(String message) {
    super(message);
  }
}
