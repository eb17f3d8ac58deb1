package dev.vvtq.artifacts.store;

import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

/** Runs an operation under a {@link RetryPolicy}, retrying only the failures a predicate calls transient. */
final class Retrier {
  /** One attempt of an operation. */
  interface Attempt<T> {
    T run() throws Exception;
  }

  /** How a retry waits (tests may record instead of sleeping). */
  interface Sleeper {
    void sleep(Duration d) throws InterruptedException;
  }

  /** The operation failed for good: its last failure and how many attempts were made. */
  static final class Failure extends Exception {
    private final int attempts;

    Failure(Exception last, int attempts) {
      super(last);
      this.attempts = attempts;
    }

    Exception last() {
      return (Exception) getCause();
    }

    int attempts() {
      return attempts;
    }
  }

  private final RetryPolicy policy;
  private final Predicate<Throwable> isTransient;
  private final Sleeper sleeper;

  Retrier(RetryPolicy policy, Predicate<Throwable> isTransient, Sleeper sleeper) {
    this.policy = policy;
    this.isTransient = isTransient;
    this.sleeper = sleeper;
  }

  Retrier(RetryPolicy policy, Predicate<Throwable> isTransient) {
    this(policy, isTransient, d -> Thread.sleep(d.toMillis(), d.toNanosPart() % 1_000_000));
  }

  /** Runs the attempt until it succeeds, fails with a non-transient error, or the attempts run out. */
  <T> T call(Attempt<T> attempt) throws Failure {
    for (int n = 1; ; n++) {
      try {
        return attempt.run();
      } catch (Exception e) {
        if (n >= policy.maxAttempts() || !isTransient.test(e)) {
          throw new Failure(e, n);
        }
        try {
          sleeper.sleep(policy.backoff(n, ThreadLocalRandom.current().nextDouble()));
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          InterruptedIOException stop = new InterruptedIOException("interrupted while waiting to retry");
          stop.initCause(e);
          throw new Failure(stop, n);
        }
      }
    }
  }
}
