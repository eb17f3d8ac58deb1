package dev.vvtq.evaluator.scoring;

import dev.vvtq.artifacts.errors.ErrorKind;
import dev.vvtq.artifacts.errors.LibraryError;
import java.time.Duration;

/**
 * Lets evaluations run until the service shuts down, then stops each at its next batch (between
 * native DJL calls) and holds the shutdown until they have stopped, so the JVM never exits while a
 * forward pass runs in libtorch.
 */
public final class ShutdownGate {
  private boolean closed;
  private int running;

  /** Admits one evaluation; {@link StoppingException} once the service is shutting down. */
  public synchronized void enter() {
    if (closed) {
      throw new StoppingException();
    }
    running++;
  }

  /** Marks an admitted evaluation as done. */
  public synchronized void exit() {
    running--;
    notifyAll();
  }

  /** Called between batches: throws {@link StoppingException} once the service is shutting down. */
  public void checkpoint() {
    boolean stop;
    synchronized (this) {
      stop = closed;
    }
    if (stop) {
      throw new StoppingException();
    }
  }

  /**
   * Refuses new evaluations, asks running ones to stop, and waits at most {@code bound} for them.
   * Returns how many were still running when it gave up (0 when all stopped).
   */
  public synchronized int close(Duration bound) throws InterruptedException {
    closed = true;
    long until = System.nanoTime() + bound.toNanos();
    while (running > 0) {
      long left = until - System.nanoTime();
      if (left <= 0) {
        break;
      }
      wait(Math.max(1, left / 1_000_000));
    }
    return running;
  }

  /** The service is shutting down; the evaluation stopped (or was not started) and can be sent again. */
  public static final class StoppingException extends RuntimeException implements LibraryError {
    StoppingException() {
      super("the evaluation service is shutting down; send the evaluation again (to another replica, or after the restart)");
    }

    @Override
    public ErrorKind kind() {
      return ErrorKind.UNAVAILABLE;
    }
  }
}
