package dev.vvtq.engine;

/**
 * Per-thread nanoseconds by {@link OpClass}, or nothing at all when profiling is off (then {@link
 * #start} returns 0 without reading the clock).
 */
final class OpTimer {
  /** Longs per thread row: classes padded to two cache lines, so threads never share a line. */
  private static final int STRIDE = 16;

  private final boolean enabled;
  private final long[] nanos;
  private final int threads;

  OpTimer(boolean enabled, int threads) {
    this.enabled = enabled;
    this.threads = threads;
    this.nanos = new long[enabled ? (threads + 1) * STRIDE : 0];
  }

  static final OpTimer OFF = new OpTimer(false, 1);

  long start() {
    return enabled ? System.nanoTime() : 0L;
  }

  void stop(int thread, OpClass op, long t0) {
    if (enabled) {
      nanos[(thread + 1) * STRIDE + op.ordinal()] += System.nanoTime() - t0;
    }
  }

  boolean enabled() {
    return enabled;
  }

  /**
   * Sums over threads into {@code into} (indexed by ordinal) and clears the counters. Runs after every
   * profiled call, so it allocates nothing ({@code OpClass.values()} would copy the array each time).
   */
  void drainInto(long[] into) {
    if (!enabled) {
      return;
    }
    for (int t = 0; t < threads; t++) {
      for (int c = 0; c < OpClass.COUNT; c++) {
        int i = (t + 1) * STRIDE + c;
        into[c] += nanos[i];
        nanos[i] = 0;
      }
    }
  }
}
