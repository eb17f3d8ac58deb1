package dev.vvtq.grpc;

import dev.vvtq.artifacts.errors.ErrorKind;
import dev.vvtq.artifacts.errors.LibraryError;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one mapping of failures to gRPC status that every service uses. A {@link LibraryError} maps
 * by its {@link ErrorKind}; the description is the exception's own message, which says what was
 * wrong and what to do. Only failures nobody classified are logged with a trace.
 */
public final class GrpcStatuses {
  private static final Logger LOG = Logger.getLogger(GrpcStatuses.class.getName());

  private GrpcStatuses() {}

  /** The status code of a kind of library failure. */
  public static Status.Code codeOf(ErrorKind kind) {
    return switch (kind) {
      case NOT_FOUND -> Status.Code.NOT_FOUND;
      case INVALID -> Status.Code.INVALID_ARGUMENT;
      case CONFLICT -> Status.Code.ALREADY_EXISTS;
      // ABORTED is gRPC's "retry the read-modify-write", the case of a concurrent load or unload.
      case CONCURRENT_CHANGE -> Status.Code.ABORTED;
      case WRONG_STATE -> Status.Code.FAILED_PRECONDITION;
      case INTEGRITY -> Status.Code.DATA_LOSS;
      case UNAVAILABLE -> Status.Code.UNAVAILABLE;
      case BUSY -> Status.Code.RESOURCE_EXHAUSTED;
      case TIMED_OUT -> Status.Code.DEADLINE_EXCEEDED;
      case CANCELLED -> Status.Code.CANCELLED;
      case INTERNAL -> Status.Code.INTERNAL;
    };
  }

  /**
   * The status a failure is answered with. Unwraps {@link CompletionException} and {@link
   * ExecutionException}; passes gRPC statuses through; classifies {@link LibraryError}s by kind;
   * treats remaining {@link IllegalArgumentException}s as invalid input, {@link IOException}s as an
   * unavailable dependency (logged without failing loudly), an interrupt as a cancellation, and
   * anything else as INTERNAL, logged with its trace.
   */
  public static Status toStatus(Throwable failure) {
    Throwable t = unwrap(failure);
    if (t instanceof StatusRuntimeException e) {
      return e.getStatus();
    }
    if (t instanceof StatusException e) {
      return e.getStatus();
    }
    Status.Code code;
    if (t instanceof LibraryError e) {
      code = codeOf(e.kind());
    } else if (t instanceof IllegalArgumentException) {
      code = Status.Code.INVALID_ARGUMENT;
    } else if (t instanceof InterruptedException) {
      code = Status.Code.CANCELLED;
    } else if (t instanceof IOException) {
      LOG.log(Level.WARNING, "I/O failure: " + t.getMessage(), t);
      code = Status.Code.UNAVAILABLE;
    } else {
      LOG.log(Level.SEVERE, "unexpected failure", t);
      return Status.INTERNAL.withDescription("internal error: " + t).withCause(t);
    }
    String message = t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    return code.toStatus().withDescription(message).withCause(t);
  }

  /** {@link #toStatus} as an exception to hand to a {@code StreamObserver.onError}. */
  public static StatusRuntimeException toException(Throwable failure) {
    Throwable t = unwrap(failure);
    if (t instanceof StatusRuntimeException e) {
      return e; // keeps its trailers (e.g. google.rpc details)
    }
    return toStatus(t).asRuntimeException();
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
