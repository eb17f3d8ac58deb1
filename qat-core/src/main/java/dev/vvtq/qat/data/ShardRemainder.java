package dev.vvtq.qat.data;

/**
 * What sharding across ranks does with the {@code N mod worldSize} items that do not divide evenly.
 * Training ranks must get the same number of items, or synchronous data-parallel steps would deadlock.
 */
public enum ShardRemainder {
  /**
   * PyTorch's {@code DistributedSampler(drop_last=False)}: the epoch order is extended by repeating
   * its first items until it divides evenly, so a few items appear on two ranks in that epoch.
   */
  PAD_BY_REPEATING,
  /**
   * {@code DistributedSampler(drop_last=True)}: the last {@code N mod worldSize} items of the epoch
   * order are left out, so shards are disjoint; which items those are changes every epoch.
   */
  DROP,
  /**
   * Neither padded nor dropped: rank {@code r} takes {@code order[r], order[r + W], ...} up to the
   * end, so shards differ by at most one item and together hold each item once. Only for
   * evaluation, where ranks synchronise once at the end and not after every batch.
   */
  UNEVEN
}
