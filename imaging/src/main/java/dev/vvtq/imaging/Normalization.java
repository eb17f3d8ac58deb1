package dev.vvtq.imaging;

import java.util.Arrays;

/**
 * torchvision's {@code ToTensor()} then {@code Normalize(mean, std)}: each 8-bit value {@code v}
 * becomes {@code (v / 255 - mean[c]) / std[c]}, evaluated in float32 as PyTorch does, into a
 * planar CHW float array. The 256 possible values per channel are tabulated once.
 */
public final class Normalization {
  /** ImageNet mean (0.485, 0.456, 0.406) and std (0.229, 0.224, 0.225). */
  public static final Normalization IMAGENET =
      new Normalization(new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f});

  private final float[] mean;
  private final float[] std;
  private final float[][] table = new float[3][256];

  public Normalization(float[] mean, float[] std) {
    if (mean.length != 3 || std.length != 3) {
      throw new IllegalArgumentException("mean and std need 3 values (R, G, B)");
    }
    this.mean = mean.clone();
    this.std = std.clone();
    for (int c = 0; c < 3; c++) {
      if (!(std[c] > 0)) {
        throw new IllegalArgumentException("std must be positive, got " + Arrays.toString(std));
      }
      for (int v = 0; v < 256; v++) {
        table[c][v] = ((v / 255f) - mean[c]) / std[c];
      }
    }
  }

  public float[] mean() {
    return mean.clone();
  }

  public float[] std() {
    return std.clone();
  }

  /** The normalised value of an 8-bit sample of channel {@code c}. */
  public float value(int c, int v) {
    return table[c][v];
  }

  /** A new float array {@code [3, H, W]} (channel planes, row-major). */
  public float[] toChw(RgbImage image) {
    float[] out = new float[3 * image.width() * image.height()];
    toChw(image, out, 0);
    return out;
  }

  /** Writes {@code [3, H, W]} into {@code out} starting at {@code offset} (for batch buffers). */
  public void toChw(RgbImage image, float[] out, int offset) {
    byte[] px = image.pixels();
    int plane = image.width() * image.height();
    if (offset < 0 || offset + 3L * plane > out.length) {
      throw new IllegalArgumentException("output buffer too small for a 3x" + image.height() + "x" + image.width() + " image at offset " + offset);
    }
    float[] r = table[0];
    float[] g = table[1];
    float[] b = table[2];
    for (int i = 0; i < plane; i++) {
      out[offset + i] = r[px[3 * i] & 0xff];
      out[offset + plane + i] = g[px[3 * i + 1] & 0xff];
      out[offset + 2 * plane + i] = b[px[3 * i + 2] & 0xff];
    }
  }
}
