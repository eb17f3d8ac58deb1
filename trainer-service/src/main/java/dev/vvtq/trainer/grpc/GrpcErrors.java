package dev.vvtq.trainer.grpc;

import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import dev.vvtq.grpc.GrpcStatuses;
import dev.vvtq.trainer.jobs.InvalidSpecException;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;

/**
 * The trainer's one addition to the shared {@link GrpcStatuses}: an invalid job spec also carries its
 * field violations as {@code google.rpc.BadRequest} details.
 */
final class GrpcErrors {
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
    return GrpcStatuses.toException(t);
  }
}
