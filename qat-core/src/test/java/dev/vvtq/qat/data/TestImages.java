package dev.vvtq.qat.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;

/** Writes small synthetic images for tests. */
public final class TestImages {
  private TestImages() {}

  /** A PNG of random pixels, seeded. */
  public static Path png(Path file, int width, int height, long seed) throws IOException {
    SplittableRandom random = new SplittableRandom(seed);
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        img.setRGB(x, y, random.nextInt(1 << 24));
      }
    }
    Files.createDirectories(file.getParent());
    ImageIO.write(img, "png", file.toFile());
    return file;
  }

  /**
   * An ImageFolder of {@code perClass[c]} random PNGs in each class folder {@code c0, c1, ...},
   * sizes varying between 20 and 40 pixels.
   */
  public static Path folder(Path root, int... perClass) throws IOException {
    int n = 0;
    for (int c = 0; c < perClass.length; c++) {
      for (int i = 0; i < perClass[c]; i++) {
        png(root.resolve("c" + c).resolve("img" + i + ".png"), 20 + (n * 7) % 21, 20 + (n * 11) % 21, n);
        n++;
      }
    }
    return root;
  }
}
