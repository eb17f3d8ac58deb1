package dev.vvtq.inference.grpc;

import io.grpc.Context;
import io.grpc.Deadline;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The caller's deadline and cancellation of the current gRPC call, captured on the call's thread for
 * use by the batcher on its own.
 *
 * @param deadlineNanos a {@link System#nanoTime()} instant, {@link Long#MAX_VALUE} without deadline
 */
record CallContext(long deadlineNanos, BooleanSupplier cancelled) {
  private static final long FAR_NANOS = TimeUnit.DAYS.toNanos(1);

  static CallContext current() {
    Context context = Context.current();
    Deadline deadline = context.getDeadline();
    long at = Long.MAX_VALUE;
    if (deadline != null) {
      long remaining = deadline.timeRemaining(TimeUnit.NANOSECONDS);
      if (remaining < FAR_NANOS) {
        at = System.nanoTime() + remaining;
      }
    }
    return new CallContext(at, context::isCancelled);
  }
}
