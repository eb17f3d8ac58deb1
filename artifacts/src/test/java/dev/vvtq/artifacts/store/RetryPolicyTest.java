package dev.vvtq.artifacts.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.AccessDeniedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

class RetryPolicyTest {
  private static final RetryPolicy POLICY = new RetryPolicy(5, Duration.ofMillis(100), Duration.ofMillis(350));

  @Test
  void backoffDoublesUpToTheCap() {
    assertEquals(Duration.ofMillis(100), POLICY.backoff(1, 0));
    assertEquals(Duration.ofMillis(200), POLICY.backoff(2, 0));
    assertEquals(Duration.ofMillis(350), POLICY.backoff(3, 0));
    assertEquals(Duration.ofMillis(350), POLICY.backoff(60, 0), "no overflow for many failures");
  }

  @Test
  void jitterTakesOffAtMostHalf() {
    for (double r : new double[] {0.0, 0.25, 0.5, 0.999999}) {
      Duration d = POLICY.backoff(2, r);
      assertTrue(d.compareTo(Duration.ofMillis(100)) > 0 && d.compareTo(Duration.ofMillis(200)) <= 0, d + " for " + r);
    }
    assertEquals(Duration.ofMillis(150), POLICY.backoff(2, 0.5));
  }

  @Test
  void invalidPolicies() {
    assertThrows(IllegalArgumentException.class, () -> new RetryPolicy(0, Duration.ZERO, Duration.ZERO));
    assertThrows(IllegalArgumentException.class, () -> new RetryPolicy(3, Duration.ofSeconds(2), Duration.ofSeconds(1)));
    assertThrows(IllegalArgumentException.class, () -> new RetryPolicy(3, Duration.ofMillis(-1), Duration.ZERO));
    assertThrows(IllegalArgumentException.class, () -> POLICY.backoff(0, 0));
  }

  @Test
  void retriesTransientFailuresThenSucceeds() throws Exception {
    List<Duration> waits = new ArrayList<>();
    AtomicInteger attempts = new AtomicInteger();
    Retrier r = new Retrier(POLICY, e -> e instanceof IOException, waits::add);
    String result =
        r.call(
            () -> {
              if (attempts.incrementAndGet() < 3) {
                throw new IOException("flaky");
              }
              return "ok";
            });
    assertEquals("ok", result);
    assertEquals(3, attempts.get());
    assertEquals(2, waits.size());
    // Jittered exponential waits: (50, 100] ms after the first failure, (100, 200] after the second.
    assertTrue(waits.get(0).toNanos() > 50_000_000 && waits.get(0).toNanos() <= 100_000_000, waits.toString());
    assertTrue(waits.get(1).toNanos() > 100_000_000 && waits.get(1).toNanos() <= 200_000_000, waits.toString());
  }

  @Test
  void givesUpAfterMaxAttempts() {
    AtomicInteger attempts = new AtomicInteger();
    Retrier r = new Retrier(POLICY, e -> true, d -> {});
    IOException last = new IOException("still down");
    Retrier.Failure f =
        assertThrows(
            Retrier.Failure.class,
            () ->
                r.call(
                    () -> {
                      attempts.incrementAndGet();
                      throw last;
                    }));
    assertEquals(5, attempts.get());
    assertEquals(5, f.attempts());
    assertSame(last, f.last());
  }

  @Test
  void permanentFailuresAreNotRetried() {
    AtomicInteger attempts = new AtomicInteger();
    Retrier r = new Retrier(POLICY, e -> false, d -> {});
    Retrier.Failure f =
        assertThrows(
            Retrier.Failure.class,
            () ->
                r.call(
                    () -> {
                      attempts.incrementAndGet();
                      throw new IllegalStateException("bad request");
                    }));
    assertEquals(1, attempts.get());
    assertEquals(1, f.attempts());
  }

  @Test
  void interruptionStopsTheWait() {
    Retrier r =
        new Retrier(POLICY, e -> true, d -> {
          throw new InterruptedException();
        });
    Retrier.Failure f =
        assertThrows(Retrier.Failure.class, () -> r.call(() -> {
          throw new IOException("down");
        }));
    assertInstanceOf(InterruptedIOException.class, f.last());
    assertTrue(Thread.interrupted(), "the interrupt flag is restored (and cleared here)");
  }

  @Test
  void s3FailureClassification() {
    assertTrue(S3ArtifactStore.isTransient(s3Error(503, "SlowDown")));
    assertTrue(S3ArtifactStore.isTransient(s3Error(500, "InternalError")));
    assertTrue(S3ArtifactStore.isTransient(s3Error(429, null)));
    assertTrue(S3ArtifactStore.isTransient(s3Error(400, "RequestTimeout")));
    assertFalse(S3ArtifactStore.isTransient(s3Error(403, "AccessDenied")));
    assertFalse(S3ArtifactStore.isTransient(NoSuchKeyException.builder().statusCode(404).build()));
    assertTrue(
        S3ArtifactStore.isTransient(
            SdkClientException.builder().message("Unable to execute HTTP request").cause(new java.net.SocketException("reset")).build()));
    assertFalse(
        S3ArtifactStore.isTransient(SdkClientException.builder().message("Unable to load credentials").build()));
    assertTrue(S3ArtifactStore.isTransient(new IOException("premature end of body")));
    assertFalse(S3ArtifactStore.isTransient(new AccessDeniedException("/local/file")));
    assertFalse(S3ArtifactStore.isTransient(new IllegalArgumentException("bug")));
  }

  private static S3Exception s3Error(int status, String code) {
    return (S3Exception)
        S3Exception.builder()
            .statusCode(status)
            .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).build())
            .build();
  }
}
