package dev.vvtq.imaging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class GeometryTest {

  private static RgbImage numbered(int w, int h) {
    RgbImage img = RgbImage.blank(w, h);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.set(x, y, 0, x);
        img.set(x, y, 1, y);
        img.set(x, y, 2, (x * 7 + y * 13) % 256);
      }
    }
    return img;
  }

  @Test
  void cropAtABoxEqualsTheHandCutPixels() {
    RgbImage img = numbered(10, 8);
    RgbImage cut = img.crop(new CropBox(2, 3, 4, 5));
    assertEquals(5, cut.width());
    assertEquals(4, cut.height());
    for (int y = 0; y < 4; y++) {
      for (int x = 0; x < 5; x++) {
        assertEquals(3 + x, cut.get(x, y, 0));
        assertEquals(2 + y, cut.get(x, y, 1));
        assertEquals(((3 + x) * 7 + (2 + y) * 13) % 256, cut.get(x, y, 2));
      }
    }
    assertThrows(IllegalArgumentException.class, () -> img.crop(new CropBox(5, 0, 4, 2)));
  }

  @Test
  void flipMirrorsColumns() {
    RgbImage img = numbered(5, 3);
    RgbImage flipped = img.flipHorizontal();
    for (int y = 0; y < 3; y++) {
      for (int x = 0; x < 5; x++) {
        for (int c = 0; c < 3; c++) {
          assertEquals(img.get(4 - x, y, c), flipped.get(x, y, c));
        }
      }
    }
    assertEquals(img, flipped.flipHorizontal());
  }

  @Test
  void shorterSideResizeTruncatesTheLongSide() {
    assertArrayEquals(new int[] {341, 256}, ShorterSideResize.outputSize(500, 375, 256));
    assertArrayEquals(new int[] {256, 341}, ShorterSideResize.outputSize(375, 500, 256));
    assertArrayEquals(new int[] {36, 36}, ShorterSideResize.outputSize(28, 28, 36));
    assertArrayEquals(new int[] {36, 72}, ShorterSideResize.outputSize(10, 20, 36));
  }

  @Test
  void centreCropRoundsOffsetsHalfToEven() {
    // (341 - 224) / 2 = 58.5 rounds to 58 under Python's round.
    assertEquals(new CropBox(16, 58, 224, 224), CenterCrop.box(341, 256, 224, 224));
    // (36 - 32) / 2 = 2; (37 - 32) / 2 = 2.5 -> 2; (39 - 32) / 2 = 3.5 -> 4.
    assertEquals(new CropBox(2, 2, 32, 32), CenterCrop.box(36, 36, 32, 32));
    assertEquals(new CropBox(4, 2, 32, 32), CenterCrop.box(37, 39, 32, 32));
    assertThrows(IllegalArgumentException.class, () -> CenterCrop.box(20, 40, 32, 32));
  }

  @Test
  void evalPreprocessorUsesFloorOfInputOverCropPct() {
    assertEquals(256, EvalPreprocessor.imagenet(224).resizeSize());
    assertEquals(36, EvalPreprocessor.imagenet(32).resizeSize());
    RgbImage img = numbered(50, 40);
    EvalPreprocessor eval = EvalPreprocessor.imagenet(32);
    RgbImage expected8 = CenterCrop.apply(PilBilinearResize.resize(img, 45, 36), 32, 32);
    assertEquals(expected8, eval.resizeAndCrop(img));
    float[] chw = eval.preprocess(img);
    assertEquals(3 * 32 * 32, chw.length);
    assertEquals(Normalization.IMAGENET.value(1, expected8.get(5, 7, 1)), chw[32 * 32 + 7 * 32 + 5]);
  }

  @Test
  void randomResizedCropBoxesFitTheImageAndTheRanges() {
    SplittableRandom random = new SplittableRandom(7);
    for (int n = 0; n < 2000; n++) {
      int w = 20 + random.nextInt(400);
      int h = 20 + random.nextInt(400);
      CropBox b = RandomResizedCrop.DEFAULT.sample(w, h, random);
      assertTrue(b.top() >= 0 && b.left() >= 0 && b.top() + b.height() <= h && b.left() + b.width() <= w, b + " in " + w + "x" + h);
      double area = (double) b.width() * b.height() / ((double) w * h);
      assertTrue(area <= 1.0 + 1e-9, "area fraction " + area);
    }
  }

  @Test
  void randomResizedCropIsDeterministicForASeed() {
    CropBox a = RandomResizedCrop.DEFAULT.sample(300, 200, new SplittableRandom(11));
    CropBox b = RandomResizedCrop.DEFAULT.sample(300, 200, new SplittableRandom(11));
    assertEquals(a, b);
  }

  @Test
  void randomResizedCropFallsBackToARatioClampedCentreCrop() {
    // A 1000x10 strip: any sampled area >= 800 px at ratio <= 4/3 needs a height above 10, so all
    // ten attempts fail; the fallback keeps the full height and a width of round(10 * 4/3) = 13.
    CropBox wide = RandomResizedCrop.DEFAULT.sample(1000, 10, new SplittableRandom(1));
    assertEquals(new CropBox(0, 493, 10, 13), wide);
    CropBox tall = RandomResizedCrop.DEFAULT.sample(10, 1000, new SplittableRandom(1));
    assertEquals(new CropBox(493, 0, 13, 10), tall);
  }

  @Test
  void relativeBoxesRoundTripExactly() {
    for (int side = 1; side <= 160; side++) {
      for (int start = 0; start < side; start++) {
        for (int len = 1; start + len <= side; len++) {
          CropBox box = new CropBox(start, start, len, len);
          assertEquals(box, CropBox.fromRelative(box.toRelative(side, side), side, side));
        }
      }
    }
    int[][] large = {{4000, 3000}, {7999, 5333}, {224, 224}};
    SplittableRandom random = new SplittableRandom(5);
    for (int[] s : large) {
      for (int n = 0; n < 20000; n++) {
        CropBox box = RandomResizedCrop.DEFAULT.sample(s[0], s[1], random);
        assertEquals(box, CropBox.fromRelative(box.toRelative(s[0], s[1]), s[0], s[1]));
      }
    }
  }
}
