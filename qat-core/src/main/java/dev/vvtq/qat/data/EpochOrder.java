package dev.vvtq.qat.data;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The item order of one epoch on one rank: a permutation seeded by {@code (seed, epoch)} (the same
 * on every rank and for any number of workers), then the rank's interleaved shard
 * {@code order[rank], order[rank + W], ...} as PyTorch's {@code DistributedSampler} takes it.
 */
public final class EpochOrder {
  private EpochOrder() {}

  /** A seeded Fisher-Yates permutation of {@code 0..size-1}, or the identity when not shuffling. */
  public static int[] permutation(int size, long seed, int epoch, boolean shuffle) {
    int[] order = new int[size];
    for (int i = 0; i < size; i++) {
      order[i] = i;
    }
    if (shuffle) {
      SplittableRandom random = SampleSeeds.random(seed, epoch, -1);
      for (int i = size - 1; i > 0; i--) {
        int j = random.nextInt(i + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
    }
    return order;
  }

  /** This rank's items of {@code order}; every rank gets the same count unless {@code remainder} is UNEVEN. */
  public static int[] shard(int[] order, int rank, int worldSize, ShardRemainder remainder) {
    if (worldSize < 1 || rank < 0 || rank >= worldSize) {
      throw new IllegalArgumentException("rank " + rank + " is not in [0, " + worldSize + ")");
    }
    int n = order.length;
    if (remainder == ShardRemainder.UNEVEN) {
      int[] mine = new int[n > rank ? (n - rank + worldSize - 1) / worldSize : 0];
      for (int k = 0; k < mine.length; k++) {
        mine[k] = order[rank + k * worldSize];
      }
      return mine;
    }
    int total = remainder == ShardRemainder.DROP ? n / worldSize * worldSize : (n + worldSize - 1) / worldSize * worldSize;
    if (total == 0) {
      return new int[0];
    }
    int[] extended = Arrays.copyOf(order, total);
    for (int i = n; i < total; i++) {
      extended[i] = order[(i - n) % n];
    }
    int[] mine = new int[total / worldSize];
    for (int k = 0; k < mine.length; k++) {
      mine[k] = extended[rank + k * worldSize];
    }
    return mine;
  }
}
