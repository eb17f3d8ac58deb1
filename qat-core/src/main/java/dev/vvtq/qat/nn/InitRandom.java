package dev.vvtq.qat.nn;

import java.util.SplittableRandom;

/**
 * Seeded initialisers drawn in Java, so a model's initial weights depend only on the seed, never on
 * the native engine's generator or thread count.
 */
public final class InitRandom {
  private final SplittableRandom random;

  public InitRandom(long seed) {
    this.random = new SplittableRandom(seed);
  }

  /** timm's trunc_normal_: normal(0, std) redrawn until within [-2, 2] (absolute, as timm does). */
  public float[] truncatedNormal(int n, double std) {
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      double v;
      do {
        v = gaussian() * std;
      } while (v < -2 || v > 2);
      out[i] = (float) v;
    }
    return out;
  }

  /** Uniform in [-bound, bound): PyTorch's default Conv/Linear initialisation with fan-in bound. */
  public float[] uniform(int n, double bound) {
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
    }
    return out;
  }

  private double gaussian() {
    // Box-Muller; SplittableRandom has no nextGaussian on Java 17.
    double u1;
    do {
      u1 = random.nextDouble();
    } while (u1 == 0);
    double u2 = random.nextDouble();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
}
