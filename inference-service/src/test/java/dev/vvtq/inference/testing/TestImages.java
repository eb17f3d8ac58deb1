package dev.vvtq.inference.testing;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Random;
import javax.imageio.ImageIO;

/** Encoded test images. */
public final class TestImages {
  private TestImages() {}

  /** A PNG of random colours, {@code width x height}. */
  public static byte[] png(int width, int height, long seed) {
    return encode(width, height, seed, "png");
  }

  /** A JPEG of random colours, {@code width x height}. */
  public static byte[] jpeg(int width, int height, long seed) {
    return encode(width, height, seed, "jpg");
  }

  private static byte[] encode(int width, int height, long seed, String format) {
    Random rnd = new Random(seed);
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        img.setRGB(x, y, rnd.nextInt(1 << 24));
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(img, format, out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
