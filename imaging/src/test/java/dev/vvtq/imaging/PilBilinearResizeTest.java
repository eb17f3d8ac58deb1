package dev.vvtq.imaging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PilBilinearResizeTest {

  /**
   * Independent reference of Pillow's BILINEAR resample, in double precision: every input pixel
   * is weighted by the triangle {@code max(0, 1 - |i + 0.5 - centre| / max(scale, 1))} (no
   * windowing, whose bounds only skip zero weights), weights normalised over the image, and each
   * pass rounded half up to 8 bits. It shares no code with the class under test.
   */
  private static int[][] referenceAxis(int[][] rows, int outSize) {
    int inSize = rows[0].length;
    double scale = (double) inSize / outSize;
    double widen = Math.max(1.0, scale);
    int[][] out = new int[rows.length][outSize];
    for (int r = 0; r < rows.length; r++) {
      for (int o = 0; o < outSize; o++) {
        double centre = scale * (o + 0.5);
        double num = 0;
        double den = 0;
        for (int i = 0; i < inSize; i++) {
          double weight = Math.max(0.0, 1.0 - Math.abs(i + 0.5 - centre) / widen);
          num += weight * rows[r][i];
          den += weight;
        }
        long v = (long) Math.floor(num / den + 0.5);
        out[r][o] = (int) Math.max(0, Math.min(255, v));
      }
    }
    return out;
  }

  private static int[][][] reference(RgbImage img, int outW, int outH) {
    int[][][] planes = new int[3][][];
    for (int c = 0; c < 3; c++) {
      int[][] rows = new int[img.height()][img.width()];
      for (int y = 0; y < img.height(); y++) {
        for (int x = 0; x < img.width(); x++) {
          rows[y][x] = img.get(x, y, c);
        }
      }
      int[][] horiz = outW == img.width() ? rows : referenceAxis(rows, outW);
      int[][] cols = new int[outW][img.height()];
      for (int y = 0; y < img.height(); y++) {
        for (int x = 0; x < outW; x++) {
          cols[x][y] = horiz[y][x];
        }
      }
      int[][] vert = outH == img.height() ? cols : referenceAxis(cols, outH);
      int[][] plane = new int[outH][outW];
      for (int x = 0; x < outW; x++) {
        for (int y = 0; y < outH; y++) {
          plane[y][x] = vert[x][y];
        }
      }
      planes[c] = plane;
    }
    return planes;
  }

  private static RgbImage image(int w, int h, int[][][] rgbByChannel) {
    RgbImage img = RgbImage.blank(w, h);
    for (int c = 0; c < 3; c++) {
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          img.set(x, y, c, rgbByChannel[c][y][x]);
        }
      }
    }
    return img;
  }

  private static int[][] channel(RgbImage img, int c) {
    int[][] out = new int[img.height()][img.width()];
    for (int y = 0; y < img.height(); y++) {
      for (int x = 0; x < img.width(); x++) {
        out[y][x] = img.get(x, y, c);
      }
    }
    return out;
  }

  @Test
  void shrinks4x4To2x2WithTheWidenedTriangle() {
    // Worked by hand: shrinking by 2 widens the support to 2 pixels; output 0 (centre 1.0) weighs
    // inputs 0, 1, 2 by 3/7, 3/7, 1/7 and output 1 (centre 3.0) weighs inputs 1, 2, 3 by 1/7, 3/7, 3/7.
    int[][] r = new int[4][4];
    int[][] g = new int[4][4];
    int[][] b = new int[4][4];
    for (int y = 0; y < 4; y++) {
      for (int x = 0; x < 4; x++) {
        r[y][x] = 70 * x;
        g[y][x] = 70 * y;
        b[y][x] = 35 * x + 35 * y;
      }
    }
    RgbImage out = PilBilinearResize.resize(image(4, 4, new int[][][] {r, g, b}), 2, 2);
    // 70x: (0*3 + 70*3 + 140)/7 = 50 and (70 + 140*3 + 210*3)/7 = 160.
    assertArrayEquals(new int[][] {{50, 160}, {50, 160}}, channel(out, 0));
    assertArrayEquals(new int[][] {{50, 50}, {160, 160}}, channel(out, 1));
    assertArrayEquals(new int[][] {{50, 105}, {105, 160}}, channel(out, 2));
  }

  @Test
  void enlarges2x2To4x4ByInterpolatingQuarterPoints() {
    // Upscaling keeps support 1; output centres fall at 0.25, 0.75, 1.25, 1.75 input pixels, so the
    // outer outputs copy the edge pixel and the inner ones mix 3:1 and 1:3.
    int[][] r = {{0, 200}, {0, 200}};
    int[][] g = {{0, 0}, {200, 200}};
    int[][] b = {{0, 100}, {100, 200}};
    RgbImage out = PilBilinearResize.resize(image(2, 2, new int[][][] {r, g, b}), 4, 4);
    int[] ramp = {0, 50, 150, 200};
    for (int y = 0; y < 4; y++) {
      for (int x = 0; x < 4; x++) {
        assertEquals(ramp[x], out.get(x, y, 0), "R at " + x + "," + y);
        assertEquals(ramp[y], out.get(x, y, 1), "G at " + x + "," + y);
      }
    }
    // B = 100*x + 100*y on the 2x2 grid: horizontally [0,25,75,100] and [100,125,175,200] per row.
    assertArrayEquals(
        new int[][] {{0, 25, 75, 100}, {25, 50, 100, 125}, {75, 100, 150, 175}, {100, 125, 175, 200}},
        channel(out, 2));
  }

  @Test
  void sameSizeIsAnExactCopy() {
    RgbImage img = randomImage(7, 5, new SplittableRandom(3));
    RgbImage out = PilBilinearResize.resize(img, 7, 5);
    assertEquals(img, out);
    assertNotSame(img.pixels(), out.pixels());
  }

  @Test
  void onePixelImagesSpreadOrAverage() {
    RgbImage dot = RgbImage.wrap(1, 1, new byte[] {10, (byte) 128, (byte) 250});
    RgbImage big = PilBilinearResize.resize(dot, 3, 2);
    for (int y = 0; y < 2; y++) {
      for (int x = 0; x < 3; x++) {
        assertEquals(10, big.get(x, y, 0));
        assertEquals(128, big.get(x, y, 1));
        assertEquals(250, big.get(x, y, 2));
      }
    }
    // 5x1 -> 1x1: support widens to 5, centre 2.5, weights 0.6 0.8 1 0.8 0.6 over [0,10,20,30,40]
    // give 76/3.8 = 20.
    RgbImage row = RgbImage.blank(5, 1);
    for (int x = 0; x < 5; x++) {
      row.set(x, 0, 0, 10 * x);
      row.set(x, 0, 1, 40 - 10 * x);
      row.set(x, 0, 2, x == 2 ? 190 : 0);
    }
    RgbImage one = PilBilinearResize.resize(row, 1, 1);
    assertEquals(20, one.get(0, 0, 0));
    assertEquals(20, one.get(0, 0, 1));
    assertEquals(50, one.get(0, 0, 2)); // 190 * 1 / 3.8
    RgbImage column = RgbImage.blank(1, 5);
    for (int y = 0; y < 5; y++) {
      column.set(0, y, 0, 10 * y);
    }
    assertEquals(20, PilBilinearResize.resize(column, 1, 1).get(0, 0, 0));
  }

  @Test
  void matchesTheIndependentReferenceWithin1Of255() {
    SplittableRandom random = new SplittableRandom(42);
    int[][] sizes = {
      {13, 9, 5, 4}, {9, 13, 17, 11}, {32, 32, 7, 7}, {28, 28, 32, 32}, {40, 30, 32, 32},
      {5, 17, 3, 31}, {64, 48, 24, 36}, {3, 3, 10, 2}, {100, 1, 7, 1}, {23, 29, 23, 8}
    };
    long pixels = 0;
    long exact = 0;
    for (int[] s : sizes) {
      RgbImage img = randomImage(s[0], s[1], random);
      RgbImage out = PilBilinearResize.resize(img, s[2], s[3]);
      int[][][] ref = reference(img, s[2], s[3]);
      for (int c = 0; c < 3; c++) {
        for (int y = 0; y < s[3]; y++) {
          for (int x = 0; x < s[2]; x++) {
            int diff = Math.abs(out.get(x, y, c) - ref[c][y][x]);
            assertTrue(diff <= 1, "size " + java.util.Arrays.toString(s) + " at " + x + "," + y + "," + c
                + ": got " + out.get(x, y, c) + ", reference " + ref[c][y][x]);
            pixels++;
            exact += diff == 0 ? 1 : 0;
          }
        }
      }
    }
    assertTrue(exact >= 0.98 * pixels, exact + " of " + pixels + " values exact");
  }

  private static RgbImage randomImage(int w, int h, SplittableRandom random) {
    byte[] px = new byte[3 * w * h];
    for (int i = 0; i < px.length; i++) {
      px[i] = (byte) random.nextInt(256);
    }
    return RgbImage.wrap(w, h, px);
  }
}
