package dev.vvtq.qat.testing;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;

/**
 * A tiny ImageFolder (20x20 PNGs, train/ and val/) whose classes a small model learns in a few
 * epochs: each class has a bar of its own colour and orientation over noise. Shared with the
 * services' tests through qat-core's test jar.
 */
public final class TinyImageFolder {
  private TinyImageFolder() {}

  /** Writes {@code classes} classes ({@code class0, class1, ...}) under {@code root}/train and /val. */
  public static Path write(Path root, int classes, int trainPerClass, int valPerClass) throws IOException {
    split(root.resolve("train"), classes, trainPerClass, 1);
    split(root.resolve("val"), classes, valPerClass, 2);
    return root;
  }

  /** The first validation image of a class, as written by {@link #write}. */
  public static Path valImage(Path root, int cls) {
    return root.resolve("val").resolve("class" + cls).resolve("000.png");
  }

  private static void split(Path dir, int classes, int perClass, long seed) throws IOException {
    SplittableRandom r = new SplittableRandom(seed);
    for (int c = 0; c < classes; c++) {
      Path classDir = Files.createDirectories(dir.resolve("class" + c));
      for (int i = 0; i < perClass; i++) {
        BufferedImage img = new BufferedImage(20, 20, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < 20; y++) {
          for (int x = 0; x < 20; x++) {
            int noise = r.nextInt(60);
            boolean bar = c % 2 == 0 ? Math.abs(x - 10) < 4 : Math.abs(y - 10) < 4;
            int red = bar ? (c % 3 == 0 ? 250 : 80) : noise;
            int green = bar ? (c % 3 == 1 ? 250 : 80) : noise;
            int blue = bar ? (c % 3 == 2 ? 250 : 80) : noise;
            img.setRGB(x, y, (red << 16) | (green << 8) | blue);
          }
        }
        ImageIO.write(img, "png", classDir.resolve(String.format("%03d.png", i)).toFile());
      }
    }
  }
}
