package dev.vvtq.artifacts.errors;

/**
 * What kind of failure a library error is, in the library's own terms. Each service maps a kind to
 * its protocol's status in one place (for gRPC: {@code dev.vvtq.grpc.GrpcStatuses} in the proto
 * module), so no adapter has to guess a status from an exception's Java type.
 */
public enum ErrorKind {
  /** A named thing (checkpoint, model, run, job, key) does not exist. */
  NOT_FOUND,
  /** The caller's input is wrong; retrying the same input fails again. */
  INVALID,
  /** The name or id is already taken by another thing. */
  CONFLICT,
  /** Another change to the same thing is under way; retrying later can succeed. */
  CONCURRENT_CHANGE,
  /** The thing exists but is in a state or format that does not allow the operation. */
  WRONG_STATE,
  /** Stored bytes disagree with their manifest, or stored data is unreadable. */
  INTEGRITY,
  /** A dependency (store, engine, worker) cannot serve now; retrying later can succeed. */
  UNAVAILABLE,
  /** Too much work is queued; the caller should back off. */
  BUSY,
  /** The caller's deadline passed before the work was done. */
  TIMED_OUT,
  /** The work was cancelled. */
  CANCELLED,
  /** A failure inside the library that the caller cannot fix. */
  INTERNAL
}
