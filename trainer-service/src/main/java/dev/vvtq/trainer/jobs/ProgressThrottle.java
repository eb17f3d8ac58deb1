package dev.vvtq.trainer.jobs;

import java.time.Duration;

/** Decides which progress updates are sent to watchers: at most one per interval, plus pass boundaries. */
final class ProgressThrottle {
  private final long intervalNanos;
  private long lastSent = Long.MIN_VALUE;

  ProgressThrottle(Duration interval) {
    this.intervalNanos = interval.toNanos();
  }

  /** Whether to send this update; {@code boundary} updates (first or last of a pass) always go. */
  boolean admit(boolean boundary) {
    long now = System.nanoTime();
    if (boundary || lastSent == Long.MIN_VALUE || now - lastSent >= intervalNanos) {
      lastSent = now;
      return true;
    }
    return false;
  }
}
