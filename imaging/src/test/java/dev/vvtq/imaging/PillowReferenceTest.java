package dev.vvtq.imaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/**
 * Results recorded from Pillow 12.3 and torchvision 0.26 by tools/reference/make_fixtures.py: the
 * resize must match Pillow's BILINEAR byte for byte, and the evaluation preprocessing torchvision's
 * Resize + CenterCrop + ToTensor + Normalize on the same PNG files.
 */
class PillowReferenceTest {

  private static ByteBuffer resource(String name) throws IOException {
    try (InputStream in = PillowReferenceTest.class.getResourceAsStream("/reference/" + name)) {
      assertTrue(in != null, "missing test resource " + name);
      return ByteBuffer.wrap(in.readAllBytes()).order(ByteOrder.LITTLE_ENDIAN);
    }
  }

  private static byte[] take(ByteBuffer b, int n) {
    byte[] out = new byte[n];
    b.get(out);
    return out;
  }

  @Test
  void bilinearResizeMatchesPillowByteForByte() throws IOException {
    ByteBuffer b = resource("pil_bilinear.bin");
    int cases = b.getInt();
    int exact = 0;
    int values = 0;
    int maxDiff = 0;
    for (int c = 0; c < cases; c++) {
      int w = b.getInt();
      int h = b.getInt();
      int ow = b.getInt();
      int oh = b.getInt();
      RgbImage in = RgbImage.wrap(w, h, take(b, w * h * 3));
      byte[] expected = take(b, ow * oh * 3);
      byte[] got = PilBilinearResize.resize(in, ow, oh).pixels();
      for (int i = 0; i < expected.length; i++) {
        int d = Math.abs((expected[i] & 0xff) - (got[i] & 0xff));
        maxDiff = Math.max(maxDiff, d);
        exact += d == 0 ? 1 : 0;
        values++;
      }
    }
    assertTrue(cases >= 300, "fixture has " + cases + " cases");
    assertEquals(0, maxDiff, "largest difference to Pillow (exact " + exact + " of " + values + ")");
  }

  @Test
  void evalPreprocessingMatchesTorchvision() throws IOException {
    ByteBuffer b = resource("eval_preprocess.bin");
    int cases = b.getInt();
    double maxDiff = 0;
    for (int c = 0; c < cases; c++) {
      byte[] png = take(b, b.getInt());
      int size = b.getInt();
      float[] expected = new float[3 * size * size];
      for (int i = 0; i < expected.length; i++) {
        expected[i] = b.getFloat();
      }
      float[] got = EvalPreprocessor.imagenet(size).preprocess(png, "case " + c);
      assertEquals(expected.length, got.length);
      for (int i = 0; i < expected.length; i++) {
        maxDiff = Math.max(maxDiff, Math.abs(expected[i] - got[i]));
      }
    }
    assertTrue(cases >= 20);
    // Same 8-bit pixels after resize and crop; only float32 rounding of ToTensor/Normalize may differ.
    assertTrue(maxDiff < 1e-5, "largest difference to torchvision " + maxDiff);
  }
}
