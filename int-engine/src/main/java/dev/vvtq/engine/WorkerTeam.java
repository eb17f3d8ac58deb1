package dev.vvtq.engine;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The caller plus {@code threads - 1} helper threads running data-parallel phases in lock step.
 * Hand-off is spin-then-park: between the phases of one forward pass (tens of microseconds apart)
 * helpers and caller spin, so no wake-up latency; after {@code spinNanos} idle they park, so an idle
 * engine costs no CPU and a busy shared machine does not starve (pure spinning collapses there).
 */
final class WorkerTeam implements AutoCloseable {
  /** A unit of parallel work: called once per thread with its index. */
  interface Phase {
    void run(int thread, int threads);
  }

  private final int threads;
  private final long spinNanos;
  private final Thread[] helpers;
  private final AtomicInteger remaining = new AtomicInteger();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private volatile Phase current;
  private volatile int generation;
  private volatile boolean closed;
  private volatile Thread waitingCaller;
  // helpers count themselves in before their last check of generation, so run() never misses a sleeper
  private final AtomicInteger parkedCount = new AtomicInteger();

  WorkerTeam(int threads, long spinNanos, String name) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    }
    this.threads = threads;
    this.spinNanos = spinNanos;
    this.helpers = new Thread[threads - 1];
    for (int i = 1; i < threads; i++) {
      int id = i;
      Thread t = new Thread(() -> helperLoop(id), name + "-" + i);
      t.setDaemon(true);
      helpers[i - 1] = t;
      t.start();
    }
  }

  int threads() {
    return threads;
  }

  /** Ids of the helper threads (not the caller's). */
  long[] threadIds() {
    long[] ids = new long[helpers.length];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = helpers[i].getId();
    }
    return ids;
  }

  /** Runs {@code phase} on every thread of the team (this one as thread 0) and returns when all are done. */
  void run(Phase phase) {
    if (closed) {
      throw new IllegalStateException("the engine is closed");
    }
    if (threads == 1) {
      phase.run(0, 1);
      return;
    }
    failure.set(null);
    remaining.set(threads - 1);
    current = phase;
    generation++; // publishes current; helpers spinning on it start now
    if (parkedCount.get() > 0) {
      for (Thread h : helpers) {
        LockSupport.unpark(h);
      }
    }
    try {
      phase.run(0, threads);
    } catch (Throwable t) {
      failure.compareAndSet(null, t);
    }
    awaitHelpers();
    Throwable t = failure.get();
    if (t != null) {
      if (t instanceof RuntimeException re) {
        throw re;
      }
      if (t instanceof Error e) {
        throw e;
      }
      throw new IllegalStateException("a worker failed", t);
    }
  }

  private void awaitHelpers() {
    long start = System.nanoTime();
    int spins = 0;
    while (remaining.get() > 0) {
      if ((++spins & 63) != 0 || System.nanoTime() - start < spinNanos) {
        Thread.onSpinWait();
        continue;
      }
      waitingCaller = Thread.currentThread();
      if (remaining.get() > 0) {
        LockSupport.parkNanos(this, 1_000_000L);
      }
      waitingCaller = null;
    }
  }

  private void helperLoop(int id) {
    int seen = 0;
    while (true) {
      long start = System.nanoTime();
      int spins = 0;
      while (generation == seen && !closed) {
        if ((++spins & 63) != 0 || System.nanoTime() - start < spinNanos) {
          Thread.onSpinWait();
          continue;
        }
        parkedCount.incrementAndGet();
        if (generation == seen && !closed) {
          LockSupport.park(this);
        }
        parkedCount.decrementAndGet();
      }
      if (closed) {
        return;
      }
      seen = generation;
      try {
        current.run(id, threads);
      } catch (Throwable t) {
        failure.compareAndSet(null, t);
      }
      if (remaining.decrementAndGet() == 0) {
        Thread c = waitingCaller;
        if (c != null) {
          LockSupport.unpark(c);
        }
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    for (Thread h : helpers) {
      LockSupport.unpark(h);
    }
  }
}
