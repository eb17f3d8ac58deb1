package dev.vvtq.imaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageDecoderTest {
  @TempDir Path dir;

  private static byte[] encode(BufferedImage img, String format) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertTrue(ImageIO.write(img, format, out), "no writer for " + format);
    return out.toByteArray();
  }

  @Test
  void grayPngIsReplicatedWithoutGamma() throws IOException {
    BufferedImage gray = new BufferedImage(3, 2, BufferedImage.TYPE_BYTE_GRAY);
    gray.getRaster().setSample(0, 0, 0, 10);
    gray.getRaster().setSample(2, 1, 0, 128);
    RgbImage rgb = ImageDecoder.decode(encode(gray, "png"), "gray.png");
    assertEquals(3, rgb.width());
    assertEquals(2, rgb.height());
    for (int c = 0; c < 3; c++) {
      assertEquals(10, rgb.get(0, 0, c));
      assertEquals(128, rgb.get(2, 1, c));
      assertEquals(0, rgb.get(1, 0, c));
    }
  }

  @Test
  void rgbaPngDropsAlphaWithoutCompositing() throws IOException {
    BufferedImage argb = new BufferedImage(2, 1, BufferedImage.TYPE_INT_ARGB);
    argb.setRGB(0, 0, 0x00_C8_64_32); // fully transparent, colour kept
    argb.setRGB(1, 0, 0x80_0A_14_1E);
    RgbImage rgb = ImageDecoder.decode(encode(argb, "png"), "rgba.png");
    assertEquals(200, rgb.get(0, 0, 0));
    assertEquals(100, rgb.get(0, 0, 1));
    assertEquals(50, rgb.get(0, 0, 2));
    assertEquals(10, rgb.get(1, 0, 0));
    assertEquals(30, rgb.get(1, 0, 2));
  }

  @Test
  void palettePngUsesThePaletteColours() throws IOException {
    byte[] r = {0, (byte) 255, 17};
    byte[] g = {0, 0, 34};
    byte[] b = {0, 0, 51};
    IndexColorModel palette = new IndexColorModel(2, 3, r, g, b);
    BufferedImage img = new BufferedImage(2, 2, BufferedImage.TYPE_BYTE_INDEXED, palette);
    img.getRaster().setSample(0, 0, 0, 1);
    img.getRaster().setSample(1, 1, 0, 2);
    RgbImage rgb = ImageDecoder.decode(encode(img, "png"), "palette.png");
    assertEquals(255, rgb.get(0, 0, 0));
    assertEquals(0, rgb.get(0, 0, 1));
    assertEquals(17, rgb.get(1, 1, 0));
    assertEquals(34, rgb.get(1, 1, 1));
    assertEquals(51, rgb.get(1, 1, 2));
  }

  @Test
  void sixteenBitGrayClipsAndSixteenBitRgbKeepsTheHighByte() throws IOException {
    BufferedImage gray16 = new BufferedImage(3, 1, BufferedImage.TYPE_USHORT_GRAY);
    gray16.getRaster().setSample(0, 0, 0, 200);
    gray16.getRaster().setSample(1, 0, 0, 256);
    gray16.getRaster().setSample(2, 0, 0, 65535);
    RgbImage g = ImageDecoder.decode(encode(gray16, "png"), "gray16.png");
    assertEquals(200, g.get(0, 0, 1));
    assertEquals(255, g.get(1, 0, 1));
    assertEquals(255, g.get(2, 0, 1));

    ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB),
        false, false, Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
    WritableRaster raster = cm.createCompatibleWritableRaster(2, 1);
    raster.setPixel(0, 0, new int[] {0x1234, 0xFF00, 0x00FF});
    raster.setPixel(1, 0, new int[] {65535, 256, 0});
    BufferedImage rgb16 = new BufferedImage(cm, raster, false, null);
    RgbImage c = ImageDecoder.decode(encode(rgb16, "png"), "rgb16.png");
    assertEquals(0x12, c.get(0, 0, 0));
    assertEquals(0xFF, c.get(0, 0, 1));
    assertEquals(0x00, c.get(0, 0, 2));
    assertEquals(255, c.get(1, 0, 0));
    assertEquals(1, c.get(1, 0, 1));
  }

  @Test
  void bmpAndTiffDecodeExactly() throws IOException {
    BufferedImage img = new BufferedImage(4, 3, BufferedImage.TYPE_3BYTE_BGR);
    for (int y = 0; y < 3; y++) {
      for (int x = 0; x < 4; x++) {
        img.setRGB(x, y, (x * 60) << 16 | (y * 100) << 8 | (x + y) * 20);
      }
    }
    for (String format : new String[] {"bmp", "tiff"}) {
      Path file = dir.resolve("img." + format);
      Files.write(file, encode(img, format));
      RgbImage rgb = ImageDecoder.decode(file);
      for (int y = 0; y < 3; y++) {
        for (int x = 0; x < 4; x++) {
          assertEquals(x * 60, rgb.get(x, y, 0), format);
          assertEquals(y * 100, rgb.get(x, y, 1), format);
          assertEquals((x + y) * 20, rgb.get(x, y, 2), format);
        }
      }
    }
  }

  @Test
  void jpegDecodesCloseToTheSource() throws IOException {
    BufferedImage img = new BufferedImage(16, 16, BufferedImage.TYPE_3BYTE_BGR);
    for (int y = 0; y < 16; y++) {
      for (int x = 0; x < 16; x++) {
        img.setRGB(x, y, 0x80_60_40);
      }
    }
    RgbImage rgb = ImageDecoder.decode(encode(img, "jpg"), "flat.jpg");
    assertEquals(0x80, rgb.get(8, 8, 0), 3);
    assertEquals(0x60, rgb.get(8, 8, 1), 3);
    assertEquals(0x40, rgb.get(8, 8, 2), 3);
  }

  @Test
  void netpbmBinaryAndPlain() {
    byte[] header = "P6\n# comment\n2 1\n255\n".getBytes(StandardCharsets.US_ASCII);
    byte[] ppm = Arrays.copyOf(header, header.length + 6);
    System.arraycopy(new byte[] {1, 2, 3, (byte) 250, (byte) 251, (byte) 252}, 0, ppm, header.length, 6);
    RgbImage p6 = ImageDecoder.decode(ppm, "a.ppm");
    assertEquals(1, p6.get(0, 0, 0));
    assertEquals(252, p6.get(1, 0, 2));

    RgbImage p2 = ImageDecoder.decode("P2 2 2 15\n0 15\n5 10\n".getBytes(StandardCharsets.US_ASCII), "b.pgm");
    assertEquals(0, p2.get(0, 0, 0));
    assertEquals(255, p2.get(1, 0, 1));
    assertEquals(85, p2.get(0, 1, 2));
    assertEquals(170, p2.get(1, 1, 0));

    ImageDecodeException truncated = assertThrows(ImageDecodeException.class,
        () -> ImageDecoder.decode(Arrays.copyOf(ppm, ppm.length - 2), "short.ppm"));
    assertTrue(truncated.getMessage().startsWith("short.ppm:"), truncated.getMessage());
  }

  @Test
  void webpAndUnknownAndCorruptInputFailNamingTheSource() throws IOException {
    byte[] webp = "RIFF\0\0\0\0WEBPVP8 ".getBytes(StandardCharsets.US_ASCII);
    ImageDecodeException w = assertThrows(ImageDecodeException.class, () -> ImageDecoder.decode(webp, "x.webp"));
    assertTrue(w.getMessage().contains("x.webp") && w.getMessage().contains("WebP"), w.getMessage());

    Path junk = dir.resolve("junk.jpg");
    Files.writeString(junk, "not an image at all");
    ImageDecodeException u = assertThrows(ImageDecodeException.class, () -> ImageDecoder.decode(junk));
    assertTrue(u.getMessage().contains(junk.toString()), u.getMessage());
    assertEquals(junk.toString(), u.source());

    BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_3BYTE_BGR);
    byte[] png = encode(img, "png");
    Path cut = dir.resolve("cut.png");
    Files.write(cut, Arrays.copyOf(png, png.length / 2));
    ImageDecodeException t = assertThrows(ImageDecodeException.class, () -> ImageDecoder.decode(cut));
    assertTrue(t.getMessage().contains("cut.png"), t.getMessage());

    assertThrows(ImageDecodeException.class, () -> ImageDecoder.decode(dir.resolve("missing.png")));
  }

  private static BufferedImage noise(int w, int h, int type, long seed) {
    BufferedImage img = new BufferedImage(w, h, type);
    java.util.Random random = new java.util.Random(seed);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, random.nextInt());
      }
    }
    return img;
  }

  private static byte[] progressiveJpeg(BufferedImage img) throws IOException {
    javax.imageio.ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    javax.imageio.ImageWriteParam param = writer.getDefaultWriteParam();
    param.setProgressiveMode(javax.imageio.ImageWriteParam.MODE_DEFAULT);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (javax.imageio.stream.ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
      writer.setOutput(ios);
      writer.write(null, new javax.imageio.IIOImage(img, null, null), param);
    } finally {
      writer.dispose();
    }
    return out.toByteArray();
  }

  @Test
  void jpegCutAnywhereIsRefusedAsTruncated() throws IOException {
    // ImageIO alone decodes every one of these cuts, grey-filling what is missing.
    for (byte[] full : new byte[][] {
        encode(noise(48, 40, BufferedImage.TYPE_3BYTE_BGR, 3), "jpg"),
        encode(noise(48, 40, BufferedImage.TYPE_BYTE_GRAY, 4), "jpg"),
        progressiveJpeg(noise(48, 40, BufferedImage.TYPE_3BYTE_BGR, 5))}) {
      ImageDecoder.decode(full, "whole.jpg");
      for (int cut = 2; cut < full.length; cut++) {
        byte[] part = Arrays.copyOf(full, cut);
        ImageDecodeException e = assertThrows(ImageDecodeException.class,
            () -> ImageDecoder.decode(part, "half.jpg"), "cut at " + cut + " of " + full.length);
        assertTrue(e.getMessage().startsWith("half.jpg: "), e.getMessage());
        assertTrue(e.getMessage().contains("truncated JPEG"), cut + ": " + e.getMessage());
      }
    }
  }

  @Test
  void truncatedJpegMessageSaysWhatIsMissing() throws IOException {
    byte[] full = encode(noise(64, 48, BufferedImage.TYPE_3BYTE_BGR, 6), "jpg");
    ImageDecodeException e = assertThrows(ImageDecodeException.class,
        () -> ImageDecoder.decode(Arrays.copyOf(full, full.length / 2), "req-7"));
    assertTrue(e.getMessage().contains("truncated JPEG (" + full.length / 2 + " bytes)")
        && e.getMessage().contains("end-of-image marker"), e.getMessage());
  }

  @Test
  void completeJpegWithTrailingBytesOrStrayFillStillDecodes() throws IOException {
    // Pillow accepts data after EOI and fill bytes before markers; so must we.
    byte[] full = encode(noise(16, 16, BufferedImage.TYPE_3BYTE_BGR, 7), "jpg");
    byte[] trailing = Arrays.copyOf(full, full.length + 5);
    assertEquals(16, ImageDecoder.decode(trailing, "trailing.jpg").width());
    byte[] padded = new byte[full.length + 3];
    System.arraycopy(full, 0, padded, 0, full.length - 2);
    padded[full.length - 2] = (byte) 0xFF;
    padded[full.length - 1] = (byte) 0xFF;
    padded[full.length] = (byte) 0xFF;
    padded[full.length + 1] = (byte) 0xFF;
    padded[full.length + 2] = (byte) 0xD9;
    assertEquals(16, ImageDecoder.decode(padded, "padded.jpg").height());
  }

  @Test
  void grayJpegIsReplicatedToRgb() throws IOException {
    BufferedImage gray = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < 8; y++) {
      for (int x = 0; x < 8; x++) {
        gray.getRaster().setSample(x, y, 0, 90);
      }
    }
    RgbImage rgb = ImageDecoder.decode(encode(gray, "jpg"), "gray.jpg");
    for (int c = 0; c < 3; c++) {
      assertEquals(90, rgb.get(4, 4, c), 2);
    }
    assertEquals(rgb.get(4, 4, 0), rgb.get(4, 4, 2));
  }

  @Test
  void pngCutAnywhereIsRefusedOrDecodesEveryPixel() throws IOException {
    BufferedImage img = noise(40, 30, BufferedImage.TYPE_3BYTE_BGR, 8);
    byte[] full = encode(img, "png");
    RgbImage whole = ImageDecoder.decode(full, "whole.png");
    for (int cut = 1; cut < full.length; cut++) {
      RgbImage part;
      try {
        part = ImageDecoder.decode(Arrays.copyOf(full, cut), "cut.png");
      } catch (ImageDecodeException refused) {
        continue;
      }
      // Only a cut after the last compressed row (zlib trailer, CRC, IEND) may decode.
      assertTrue(Arrays.equals(whole.pixels(), part.pixels()), "cut at " + cut + " of " + full.length);
    }
  }

  @Test
  void extensionFilterFollowsTorchvision() {
    assertTrue(ImageExtensions.isImageFile("a.JPEG"));
    assertTrue(ImageExtensions.isImageFile("b.webp"));
    assertTrue(!ImageExtensions.isImageFile("c.gif"));
    assertTrue(!ImageExtensions.isImageFile("d.txt"));
  }
}
