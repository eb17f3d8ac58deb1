package dev.vvtq.evaluator.scoring;

import dev.vvtq.artifacts.errors.ErrorKind;
import dev.vvtq.artifacts.errors.LibraryError;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/** Admission: {@code concurrent} evaluations compute at once, up to {@code queued} more wait, the rest are refused. */
public final class EvaluationSlots {
  private final Semaphore running;
  private final int maxWaiting;
  private final AtomicInteger waiting = new AtomicInteger();

  public EvaluationSlots(int concurrent, int queued) {
    if (concurrent < 1 || queued < 0) {
      throw new IllegalArgumentException("max-concurrent must be >= 1 and max-queued >= 0, got " + concurrent + ", " + queued);
    }
    this.running = new Semaphore(concurrent, true);
    this.maxWaiting = queued;
  }

  /** Takes a slot, waiting in line if needed; {@link OverloadedException} when the line is full. */
  public void acquire() throws InterruptedException {
    if (running.tryAcquire()) {
      return;
    }
    if (waiting.incrementAndGet() > maxWaiting) {
      waiting.decrementAndGet();
      throw new OverloadedException("the evaluator is busy: " + maxWaiting + " evaluations are already waiting; retry later");
    }
    try {
      running.acquire();
    } finally {
      waiting.decrementAndGet();
    }
  }

  public void release() {
    running.release();
  }

  public int waiting() {
    return waiting.get();
  }

  /** Refused for lack of capacity (RESOURCE_EXHAUSTED). */
  public static final class OverloadedException extends RuntimeException implements LibraryError {
    OverloadedException(String message) {
      super(message);
    }

    @Override
    public ErrorKind kind() {
      return ErrorKind.BUSY;
    }
  }
}
