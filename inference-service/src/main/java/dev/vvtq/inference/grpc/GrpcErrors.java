package dev.vvtq.inference.grpc;

import dev.vvtq.inference.batching.BatcherClosedException;
import dev.vvtq.inference.batching.DeadlineExpiredException;
import dev.vvtq.inference.batching.QueueFullException;
import dev.vvtq.inference.batching.RequestCancelledException;
import dev.vvtq.inference.registry.ModelConflictException;
import dev.vvtq.inference.registry.ModelLoadException;
import dev.vvtq.inference.registry.ModelNotFoundException;
import dev.vvtq.inference.registry.ModelNotReadyException;
import dev.vvtq.inference.serving.InvalidRequestException;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;

/** The gRPC status every failure of the service maps to; the message is the exception's own. */
public final class GrpcErrors {
  private static final Logger LOG = Logger.getLogger(GrpcErrors.class.getName());

  private GrpcErrors() {}

  public static Status toStatus(Throwable failure) {
    Throwable t = unwrap(failure);
    Status status = statusOf(t);
    if (status == null) {
      LOG.log(Level.SEVERE, "unexpected failure", t);
      return Status.INTERNAL.withDescription("internal error: " + t).withCause(t);
    }
    if (t instanceof StatusRuntimeException || t instanceof StatusException) {
      return status;
    }
    return status.withDescription(t.getMessage()).withCause(t);
  }

  private static Status statusOf(Throwable t) {
    if (t instanceof InvalidRequestException || t instanceof IllegalArgumentException) {
      return Status.INVALID_ARGUMENT;
    } else if (t instanceof ModelNotFoundException) {
      return Status.NOT_FOUND;
    } else if (t instanceof ModelNotReadyException || t instanceof BatcherClosedException) {
      return Status.UNAVAILABLE;
    } else if (t instanceof QueueFullException) {
      return Status.RESOURCE_EXHAUSTED;
    } else if (t instanceof DeadlineExpiredException) {
      return Status.DEADLINE_EXCEEDED;
    } else if (t instanceof RequestCancelledException) {
      return Status.CANCELLED;
    } else if (t instanceof ModelConflictException e) {
      // Another load/unload of the name: retrying later can succeed, which ABORTED says.
      return e.kind() == ModelConflictException.Kind.ALREADY_LOADED ? Status.ALREADY_EXISTS : Status.ABORTED;
    } else if (t instanceof ModelLoadException e) {
      return switch (e.reason()) {
        case NOT_FOUND -> Status.NOT_FOUND;
        case INTEGRITY -> Status.DATA_LOSS;
        case FORMAT -> Status.FAILED_PRECONDITION;
        case STORE -> Status.UNAVAILABLE;
        case ENGINE -> Status.INTERNAL;
      };
    } else if (t instanceof StatusRuntimeException e) {
      return e.getStatus();
    } else if (t instanceof StatusException e) {
      return e.getStatus();
    }
    return null;
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
