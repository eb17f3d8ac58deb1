package dev.vvtq.engine;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Random;

/**
 * When a backend is at speed: runs single-image passes on synthetic input until the threads running
 * them allocate nothing during three passes in a row (interpreted and C1-compiled Vector API code
 * allocates a box per vector) and the time per pass has stopped falling, or a pass allocates under 64
 * KiB, has not got faster for 50 passes and has allocated the same for the last 3 seconds (the report
 * then shows what it still allocates), or the budget is spent.
 */
final class WarmUp {
  /** One pass of one image on fixed threads. */
  interface Pass {
    void run(float[] image, float[] logits);

    /** Ids of the threads that work on a pass besides the caller. */
    long[] helperThreadIds();
  }

  private static final java.lang.management.ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  /** How long a warm-up waits on a pass that still allocates a little before it reports it as settled. */
  private static final Duration SETTLE = Duration.ofSeconds(3);

  private WarmUp() {}

  /** A seeded normalised-looking image of {@code floats} values. */
  static float[] syntheticImage(int floats) {
    float[] image = new float[floats];
    Random rnd = new Random(42);
    for (int i = 0; i < image.length; i++) {
      image[i] = (float) rnd.nextGaussian();
    }
    return image;
  }

  static WarmUpReport run(Pass pass, int imageFloats, int classes, Duration budget) {
    long start = System.nanoTime();
    long deadline = start + budget.toNanos();
    float[] image = syntheticImage(imageFloats);
    float[] logits = new float[classes];
    long[] helpers = pass.helperThreadIds();
    int passes = 0;
    double first = 0;
    double best = Double.MAX_VALUE;
    double last = 0;
    long allocated = -1;
    int clean = 0;
    int sinceBest = 0;
    long allocationChangedAt = start;
    long settleNanos = Math.min(SETTLE.toNanos(), budget.toNanos() / 2);
    // what measuring allocates itself (the result array), to subtract
    long probe = allocatedBytes(helpers);
    long overhead = allocatedBytes(helpers) - probe;
    while (System.nanoTime() < deadline) {
      long a0 = allocatedBytes(helpers);
      long t0 = System.nanoTime();
      pass.run(image, logits);
      last = (System.nanoTime() - t0) / 1e6;
      long a1 = allocatedBytes(helpers);
      long before = allocated;
      allocated = a0 < 0 ? -1 : Math.max(0, a1 - a0 - overhead);
      if (allocated != before) {
        allocationChangedAt = System.nanoTime();
      }
      if (passes++ == 0) {
        first = last;
      }
      sinceBest = last < 0.98 * best ? 0 : sinceBest + 1;
      best = Math.min(best, last);
      clean = allocated == 0 ? clean + 1 : 0;
      boolean fast = last < 1.25 * best;
      // A pass that still allocates a little (JDK 17's C2 sometimes leaves a few boxes in place;
      // uncompiled kernels allocate megabytes) after 50 passes without getting faster will not
      // improve by waiting: report it rather than spin through the whole budget. Passes alone are no
      // clock: a small model runs 50 passes in 2 ms, long before C2 has compiled the kernels.
      boolean settled = passes >= 50 && sinceBest >= 50 && allocated >= 0 && allocated < 64 * 1024
          && System.nanoTime() - allocationChangedAt >= settleNanos;
      if ((clean >= 3 || allocated < 0 && passes >= 50 || settled) && fast && passes >= 5) {
        break;
      }
    }
    return new WarmUpReport(passes, first, last, allocated, (System.nanoTime() - start) / 1e9);
  }

  /** Bytes allocated so far by {@code helpers} and this thread, or -1 where the JVM cannot tell. */
  private static long allocatedBytes(long[] helpers) {
    if (!(THREADS instanceof com.sun.management.ThreadMXBean mx) || !mx.isThreadAllocatedMemoryEnabled()) {
      return -1;
    }
    long sum = 0;
    for (long b : mx.getThreadAllocatedBytes(helpers)) {
      sum += b;
    }
    return sum + mx.getThreadAllocatedBytes(Thread.currentThread().getId());
  }
}
