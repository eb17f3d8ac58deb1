package dev.vvtq.inference.batching;

import java.time.Duration;

/**
 * How a model's requests are grouped into batches.
 *
 * @param maxBatchSize most images in one engine call; 1 disables batching
 * @param maxQueueDelayMicros how long a batch may wait for more requests after its first request
 *     arrived; 0 runs whatever is queued at once
 * @param queueCapacity requests admitted and not yet in a batch; beyond it requests are refused
 */
public record BatchingOptions(int maxBatchSize, long maxQueueDelayMicros, int queueCapacity) {

  public BatchingOptions {
    if (maxBatchSize < 1) {
      throw new IllegalArgumentException("max batch size must be >= 1, got " + maxBatchSize);
    }
    if (maxQueueDelayMicros < 0) {
      throw new IllegalArgumentException("max queue delay must be >= 0 us, got " + maxQueueDelayMicros);
    }
    if (queueCapacity < 1) {
      throw new IllegalArgumentException("queue capacity must be >= 1, got " + queueCapacity);
    }
  }

  /** One request per engine call, no waiting. */
  public static BatchingOptions disabled(int queueCapacity) {
    return new BatchingOptions(1, 0, queueCapacity);
  }

  public Duration maxQueueDelay() {
    return Duration.ofNanos(maxQueueDelayMicros * 1000);
  }
}
