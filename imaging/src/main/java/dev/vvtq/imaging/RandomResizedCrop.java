package dev.vvtq.imaging;

import java.util.random.RandomGenerator;

/**
 * Box sampling of torchvision's {@code RandomResizedCrop.get_params}: up to 10 attempts of an area
 * fraction uniform in {@code scale} and an aspect ratio log-uniform in {@code ratio}, sides rounded
 * half to even; when no attempt fits, a centre crop of the whole image clamped to the ratio range.
 * The algorithm is torchvision's; the random stream is the caller's (torch's cannot be matched).
 */
public final class RandomResizedCrop {
  /** torchvision's defaults: scale (0.08, 1), ratio (3/4, 4/3). */
  public static final RandomResizedCrop DEFAULT = new RandomResizedCrop(0.08, 1.0, 3.0 / 4.0, 4.0 / 3.0);

  private static final int ATTEMPTS = 10;

  private final double minScale;
  private final double maxScale;
  private final double minRatio;
  private final double maxRatio;

  public RandomResizedCrop(double minScale, double maxScale, double minRatio, double maxRatio) {
    if (!(minScale > 0 && minScale <= maxScale && maxScale <= 1)) {
      throw new IllegalArgumentException("scale range must satisfy 0 < min <= max <= 1, got (" + minScale + ", " + maxScale + ")");
    }
    if (!(minRatio > 0 && minRatio <= maxRatio)) {
      throw new IllegalArgumentException("ratio range must satisfy 0 < min <= max, got (" + minRatio + ", " + maxRatio + ")");
    }
    this.minScale = minScale;
    this.maxScale = maxScale;
    this.minRatio = minRatio;
    this.maxRatio = maxRatio;
  }

  /** Draws a crop box for a {@code width x height} image. */
  public CropBox sample(int width, int height, RandomGenerator random) {
    double area = (double) height * width;
    double logMin = Math.log(minRatio);
    double logMax = Math.log(maxRatio);
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      double targetArea = area * uniform(random, minScale, maxScale);
      double aspect = Math.exp(uniform(random, logMin, logMax));
      int w = (int) Math.rint(Math.sqrt(targetArea * aspect));
      int h = (int) Math.rint(Math.sqrt(targetArea / aspect));
      if (w > 0 && w <= width && h > 0 && h <= height) {
        int top = random.nextInt(height - h + 1);
        int left = random.nextInt(width - w + 1);
        return new CropBox(top, left, h, w);
      }
    }
    double inRatio = (double) width / height;
    int w;
    int h;
    if (inRatio < minRatio) {
      w = width;
      h = (int) Math.rint(w / minRatio);
    } else if (inRatio > maxRatio) {
      h = height;
      w = (int) Math.rint(h * maxRatio);
    } else {
      w = width;
      h = height;
    }
    return new CropBox((height - h) / 2, (width - w) / 2, h, w);
  }

  // torch's uniform_(a, b) is a + (b - a) * U[0, 1).
  private static double uniform(RandomGenerator random, double a, double b) {
    return a + (b - a) * random.nextDouble();
  }

  @Override
  public String toString() {
    return "RandomResizedCrop(scale=(" + minScale + ", " + maxScale + "), ratio=(" + minRatio + ", " + maxRatio + "))";
  }
}
