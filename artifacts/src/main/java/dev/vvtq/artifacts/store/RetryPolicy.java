package dev.vvtq.artifacts.store;

import java.time.Duration;

/**
 * How often and how patiently transient failures are retried: at most {@code maxAttempts} tries,
 * waiting {@code initialDelay}, then twice that, and so on up to {@code maxDelay}, each wait
 * jittered down by up to half so that many clients do not retry in step.
 */
public record RetryPolicy(int maxAttempts, Duration initialDelay, Duration maxDelay) {
  /** 5 attempts, 200 ms doubling to at most 5 s: about 3 s of waiting in the worst case. */
  public static final RetryPolicy DEFAULT =
      new RetryPolicy(5, Duration.ofMillis(200), Duration.ofSeconds(5));

  /** One attempt, no retry. */
  public static final RetryPolicy NONE = new RetryPolicy(1, Duration.ZERO, Duration.ZERO);

  public RetryPolicy {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
    }
    if (initialDelay.isNegative() || maxDelay.compareTo(initialDelay) < 0) {
      throw new IllegalArgumentException(
          "need 0 <= initialDelay <= maxDelay, got " + initialDelay + " and " + maxDelay);
    }
  }

  /** The same policy with another number of attempts. */
  public RetryPolicy withMaxAttempts(int attempts) {
    return new RetryPolicy(attempts, initialDelay, maxDelay);
  }

  /**
   * The wait after the {@code failures}-th failed attempt (1-based).
   *
   * @param random01 a uniform number in [0, 1); 0 gives the full exponential delay
   */
  public Duration backoff(int failures, double random01) {
    if (failures < 1) {
      throw new IllegalArgumentException("failures must be at least 1, got " + failures);
    }
    long initial = initialDelay.toNanos();
    long cap = maxDelay.toNanos();
    long delay = initial;
    for (int i = 1; i < failures && delay < cap; i++) {
      delay = delay > cap / 2 ? cap : delay * 2;
    }
    delay = Math.min(delay, cap);
    return Duration.ofNanos(delay - (long) (delay / 2 * random01));
  }
}
