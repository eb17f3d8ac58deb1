package dev.vvtq.qat.data;

import java.util.SplittableRandom;

/**
 * Derives independent random streams from {@code (seed, epoch, index)} by chaining SplitMix64's
 * finaliser, so a sample's augmentation depends only on those three numbers and never on which
 * thread computed it or in which order.
 */
public final class SampleSeeds {
  private SampleSeeds() {}

  /** A 64-bit seed for the triple; distinct triples give unrelated values. */
  public static long of(long seed, long epoch, long index) {
    long h = mix(seed ^ 0x9E3779B97F4A7C15L);
    h = mix(h ^ (epoch * 0xBF58476D1CE4E5B9L + 0x632BE59BD9B4E019L));
    return mix(h ^ (index * 0x94D049BB133111EBL + 0x2545F4914F6CDD1DL));
  }

  /** A generator seeded with {@link #of}. */
  public static SplittableRandom random(long seed, long epoch, long index) {
    return new SplittableRandom(of(seed, epoch, index));
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
