package dev.vvtq.inference.registry;

import dev.vvtq.artifacts.errors.ErrorKind;
import dev.vvtq.artifacts.errors.LibraryError;

/** A load or unload that clashes with the model's current state. */
public final class ModelConflictException extends RuntimeException implements LibraryError {
  /** What the clash is, which decides the status code a caller sees. */
  public enum Kind {
    /** A model of that name is loaded and replacing was not asked for. */
    ALREADY_LOADED,
    /** Another load or unload of that name is under way. */
    BUSY
  }

  private final Kind kind;

  public ModelConflictException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  /** Which clash this is. */
  public Kind clash() {
    return kind;
  }

  @Override
  public ErrorKind kind() {
    return kind == Kind.ALREADY_LOADED ? ErrorKind.CONFLICT : ErrorKind.CONCURRENT_CHANGE;
  }
}
