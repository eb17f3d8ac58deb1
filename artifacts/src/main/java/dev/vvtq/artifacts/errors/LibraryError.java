package dev.vvtq.artifacts.errors;

/**
 * An exception that says which {@link ErrorKind} it is. An interface, not a base class, so that
 * exceptions whose Java supertype callers already catch (an {@code IOException} of the store, an
 * {@code IllegalArgumentException} of validation) can carry a kind too.
 */
public interface LibraryError {
  /** The kind of failure; the exception's message says what was wrong and what to do. */
  ErrorKind kind();
}
