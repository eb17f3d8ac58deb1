package dev.vvtq.grpc;

import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Logs a recurring event once per burst: the first occurrence at WARNING, later ones within the
 * window only counted, and the count reported with the first occurrence after the window. A flood
 * of bad requests thus costs one log line a window, not one stack trace a request.
 */
final class BurstLog {
  private final Logger log;
  private final long windowNanos;
  private final LongSupplier nanoClock;
  private boolean started;
  private long windowStart;
  private long unlogged;

  BurstLog(Logger log, long windowNanos, LongSupplier nanoClock) {
    this.log = log;
    this.windowNanos = windowNanos;
    this.nanoClock = nanoClock;
  }

  /** Records one occurrence; logs {@code message} if it opens a new window. */
  synchronized void record(String message) {
    long now = nanoClock.getAsLong();
    if (started && now - windowStart < windowNanos) {
      unlogged++;
      return;
    }
    String earlier = unlogged > 0 ? " (" + unlogged + " more in the previous " + seconds() + " s were not logged)" : "";
    log.log(Level.WARNING, message + earlier + "; further ones in the next " + seconds() + " s are only counted");
    started = true;
    windowStart = now;
    unlogged = 0;
  }

  private long seconds() {
    return windowNanos / 1_000_000_000L;
  }
}
