package dev.vvtq.inference.batching;

/** Observes a batcher's work, for metrics. Called on the batcher's worker thread; must be quick. */
public interface BatchListener {
  /** A batch of {@code items} items from {@code requests} requests ran in {@code computeNanos}. */
  void batchComputed(int items, int requests, long computeNanos);

  /** A request left the queue without being computed. */
  void requestDropped(DropReason reason);

  /** A listener that ignores everything. */
  BatchListener NONE = new BatchListener() {
    @Override
    public void batchComputed(int items, int requests, long computeNanos) {}

    @Override
    public void requestDropped(DropReason reason) {}
  };

  /** Why a queued request was not computed. */
  enum DropReason {
    DEADLINE_EXPIRED,
    CANCELLED,
    FAILED
  }
}
