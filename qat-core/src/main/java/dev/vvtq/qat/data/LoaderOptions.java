package dev.vvtq.qat.data;

/**
 * Settings of a {@link DataLoader}.
 *
 * @param batchSize samples per batch (crops, for a multi-crop source; the loader takes {@code
 *     ceil(batchSize / samplesPerItem)} items per batch)
 * @param workers threads preparing batches; 0 prepares them in the consuming thread
 * @param prefetch batches prepared ahead of the consumer, at most (>= 1)
 * @param shuffle whether each epoch uses a seeded permutation (training) or the natural order
 * @param seed root of all randomness: the permutation and each sample's augmentation
 * @param dropLast drop a final batch with fewer items than the others
 * @param rank this process's rank among {@code worldSize}
 * @param worldSize number of ranks sharing the data
 * @param remainder what sharding does with items that do not divide evenly across ranks
 */
public record LoaderOptions(
    int batchSize, int workers, int prefetch, boolean shuffle, long seed, boolean dropLast,
    int rank, int worldSize, ShardRemainder remainder) {

  public LoaderOptions {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
    }
    if (workers < 0) {
      throw new IllegalArgumentException("workers must be >= 0, got " + workers);
    }
    if (prefetch < 1) {
      throw new IllegalArgumentException("prefetch must be at least 1 batch, got " + prefetch);
    }
    if (worldSize < 1 || rank < 0 || rank >= worldSize) {
      throw new IllegalArgumentException("rank " + rank + " is not in [0, worldSize=" + worldSize + ")");
    }
  }

  /** Training defaults: shuffled, drop_last, single rank, prefetch of twice the workers. */
  public static LoaderOptions training(int batchSize, int workers, long seed) {
    return new LoaderOptions(batchSize, workers, Math.max(2, 2 * workers), true, seed, true, 0, 1, ShardRemainder.PAD_BY_REPEATING);
  }

  /** Evaluation defaults: natural order, keep the last partial batch, single rank. */
  public static LoaderOptions evaluation(int batchSize, int workers) {
    return new LoaderOptions(batchSize, workers, Math.max(2, 2 * workers), false, 0, false, 0, 1, ShardRemainder.PAD_BY_REPEATING);
  }

  /** The same options on {@code rank} of {@code worldSize}. */
  public LoaderOptions sharded(int rank, int worldSize, ShardRemainder remainder) {
    return new LoaderOptions(batchSize, workers, prefetch, shuffle, seed, dropLast, rank, worldSize, remainder);
  }

  /** The same options with another number of workers. */
  public LoaderOptions withWorkers(int workers) {
    return new LoaderOptions(batchSize, workers, Math.max(prefetch, workers), shuffle, seed, dropLast, rank, worldSize, remainder);
  }
}
