package dev.vvtq.trainer.grpc;

import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import dev.vvtq.artifacts.store.ArtifactConflictException;
import dev.vvtq.artifacts.store.ArtifactNotFoundException;
import dev.vvtq.artifacts.store.UnsuitableArtifactException;
import dev.vvtq.trainer.jobs.InvalidSpecException;
import dev.vvtq.trainer.jobs.JobConflictException;
import dev.vvtq.trainer.jobs.JobNotFoundException;
import dev.vvtq.trainer.jobs.JobStateException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.io.IOException;
import java.util.logging.Level;
import java.util.logging.Logger;

/** The gRPC status each failure of the service maps to; the message is the exception's own. */
final class GrpcErrors {
  private static final Logger LOG = Logger.getLogger(GrpcErrors.class.getName());

  private GrpcErrors() {}

  static StatusRuntimeException toStatus(Throwable t) {
    if (t instanceof StatusRuntimeException e) {
      return e;
    }
    if (t instanceof InvalidSpecException e) {
      // The field violations also travel as google.rpc.BadRequest details, for clients that read them.
      BadRequest.Builder details = BadRequest.newBuilder();
      e.violations().forEach(v -> details.addFieldViolations(
          BadRequest.FieldViolation.newBuilder().setField(v.field()).setDescription(v.reason())));
      return StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
          .setCode(Code.INVALID_ARGUMENT_VALUE).setMessage(e.getMessage()).addDetails(Any.pack(details.build())).build());
    }
    Status s;
    if (t instanceof IllegalArgumentException) {
      s = Status.INVALID_ARGUMENT;
    } else if (t instanceof JobNotFoundException || t instanceof ArtifactNotFoundException) {
      s = Status.NOT_FOUND;
    } else if (t instanceof JobConflictException || t instanceof ArtifactConflictException) {
      s = Status.ALREADY_EXISTS;
    } else if (t instanceof JobStateException || t instanceof UnsuitableArtifactException) {
      s = Status.FAILED_PRECONDITION;
    } else if (t instanceof IOException) {
      LOG.log(Level.WARNING, "artifact store failure", t);
      s = Status.UNAVAILABLE;
    } else {
      LOG.log(Level.SEVERE, "unexpected failure", t);
      return Status.INTERNAL.withDescription("internal error: " + t).withCause(t).asRuntimeException();
    }
    return s.withDescription(t.getMessage()).withCause(t).asRuntimeException();
  }
}
