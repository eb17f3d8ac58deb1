package dev.vvtq.evaluator.grpc;

import dev.vvtq.evaluator.scoring.ArtifactMissingException;
import dev.vvtq.evaluator.scoring.EvaluationSlots;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.util.logging.Level;
import java.util.logging.Logger;

/** The gRPC status each failure of the service maps to; the message is the exception's own. */
final class GrpcErrors {
  private static final Logger LOG = Logger.getLogger(GrpcErrors.class.getName());

  private GrpcErrors() {}

  static Status toStatus(Throwable t) {
    if (t instanceof StatusRuntimeException e) {
      return e.getStatus();
    }
    Status s;
    if (t instanceof IllegalArgumentException) {
      s = Status.INVALID_ARGUMENT;
    } else if (t instanceof ArtifactMissingException) {
      s = Status.NOT_FOUND;
    } else if (t instanceof EvaluationSlots.OverloadedException) {
      s = Status.RESOURCE_EXHAUSTED;
    } else if (t instanceof dev.vvtq.artifacts.store.ArtifactIntegrityException) {
      s = Status.DATA_LOSS;
    } else if (t instanceof InterruptedException) {
      s = Status.CANCELLED;
    } else if (t instanceof IOException) {
      LOG.log(Level.WARNING, "I/O failure", t);
      s = Status.UNAVAILABLE;
    } else {
      LOG.log(Level.SEVERE, "unexpected failure", t);
      return Status.INTERNAL.withDescription("internal error: " + t).withCause(t);
    }
    return s.withDescription(t.getMessage()).withCause(t);
  }
}
