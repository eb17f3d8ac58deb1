package dev.vvtq.imaging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class NormalizationTest {
  @Test
  void imagenetValuesAtTheExtremes() {
    Normalization n = Normalization.IMAGENET;
    assertEquals((1 - 0.485) / 0.229, n.value(0, 255), 1e-6);
    assertEquals(-0.485 / 0.229, n.value(0, 0), 1e-6);
    assertEquals((1 - 0.456) / 0.224, n.value(1, 255), 1e-6);
    assertEquals(-0.406 / 0.225, n.value(2, 0), 1e-6);
    assertEquals((128 / 255.0 - 0.406) / 0.225, n.value(2, 128), 1e-6);
  }

  @Test
  void writesChannelPlanesInChwOrder() {
    RgbImage img = RgbImage.blank(3, 2);
    img.set(2, 1, 0, 255);
    img.set(0, 1, 1, 51);
    img.set(1, 0, 2, 102);
    float[] chw = new float[1 + 3 * 6];
    Normalization.IMAGENET.toChw(img, chw, 1);
    assertEquals((1f - 0.485f) / 0.229f, chw[1 + 5]);
    assertEquals((51 / 255f - 0.456f) / 0.224f, chw[1 + 6 + 3]);
    assertEquals((102 / 255f - 0.406f) / 0.225f, chw[1 + 12 + 1]);
    assertEquals(-0.485f / 0.229f, chw[1]);
  }
}
