package dev.vvtq.qat.train;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;

/** A tiny ImageFolder whose classes a small model can tell apart: a coloured bar per class, plus noise. */
final class LearnableImages {
  private LearnableImages() {}

  static Path dataset(Path root, int classes, int trainPerClass, int valPerClass) throws IOException {
    write(root.resolve("train"), classes, trainPerClass, 1);
    write(root.resolve("val"), classes, valPerClass, 2);
    return root;
  }

  private static void write(Path split, int classes, int perClass, long seed) throws IOException {
    SplittableRandom r = new SplittableRandom(seed);
    for (int c = 0; c < classes; c++) {
      Path dir = split.resolve("class" + c);
      Files.createDirectories(dir);
      for (int i = 0; i < perClass; i++) {
        int w = 20;
        int h = 20;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < h; y++) {
          for (int x = 0; x < w; x++) {
            int base = r.nextInt(60);
            int rr = base;
            int gg = base;
            int bb = base;
            boolean bar = c % 2 == 0 ? Math.abs(x - 10) < 4 : Math.abs(y - 10) < 4;
            if (bar) {
              rr = c == 0 ? 250 : 80;
              gg = c == 1 ? 250 : 80;
              bb = c == 2 ? 250 : 80;
            }
            img.setRGB(x, y, (rr << 16) | (gg << 8) | bb);
          }
        }
        ImageIO.write(img, "png", dir.resolve(String.format("%03d.png", i)).toFile());
      }
    }
  }
}
