package dev.vvtq.imaging;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;

/**
 * Converts a decoded {@link BufferedImage} to 8-bit RGB the way PIL's {@code convert('RGB')}
 * treats the same file, reading raster samples directly (Java's {@code getRGB} would apply a gamma
 * curve to gray images):
 *
 * <ul>
 *   <li>palette (and 1/2/4-bit) images: the palette colour; palette alpha is ignored;
 *   <li>alpha (RGBA, LA): the alpha channel is dropped, not composited;
 *   <li>8-bit gray: copied to R, G and B;
 *   <li>16-bit gray without alpha: clipped at 255 (PIL opens it as "I;16"/"I", whose conversion
 *       clips rather than scales);
 *   <li>16-bit colour and 16-bit gray with alpha: the high byte (PIL's "RGB;16B"/"LA;16B");
 *   <li>anything else (CMYK, other colour spaces, packed formats): Java's colour-managed
 *       conversion to sRGB, which for CMYK JPEGs follows the embedded ICC profile where PIL uses a
 *       naive formula, so those colours differ from PIL's.
 * </ul>
 */
final class RgbConversion {
  private RgbConversion() {}

  static RgbImage toRgb(BufferedImage image, String source) {
    int w = image.getWidth();
    int h = image.getHeight();
    if (w <= 0 || h <= 0) {
      throw new ImageDecodeException(source, "image has size " + w + "x" + h);
    }
    ColorModel cm = image.getColorModel();
    Raster raster = image.getRaster();
    byte[] out = new byte[Math.multiplyExact(3, Math.multiplyExact(w, h))];
    if (cm instanceof IndexColorModel icm) {
      int[] idx = new int[w];
      for (int y = 0; y < h; y++) {
        raster.getSamples(0, y, w, 1, 0, idx);
        for (int x = 0; x < w; x++) {
          int o = 3 * (y * w + x);
          out[o] = (byte) icm.getRed(idx[x]);
          out[o + 1] = (byte) icm.getGreen(idx[x]);
          out[o + 2] = (byte) icm.getBlue(idx[x]);
        }
      }
      return RgbImage.wrap(w, h, out);
    }
    int type = raster.getDataBuffer().getDataType();
    boolean plainSamples = cm instanceof ComponentColorModel
        && (type == DataBuffer.TYPE_BYTE || type == DataBuffer.TYPE_USHORT);
    int colourSpace = cm.getColorSpace().getType();
    if (plainSamples && colourSpace == ColorSpace.TYPE_GRAY) {
      boolean sixteen = type == DataBuffer.TYPE_USHORT;
      boolean alpha = cm.hasAlpha();
      int[] v = new int[w];
      for (int y = 0; y < h; y++) {
        raster.getSamples(0, y, w, 1, 0, v);
        for (int x = 0; x < w; x++) {
          int s = v[x];
          if (sixteen) {
            s = alpha ? s >>> 8 : Math.min(s, 255);
          }
          int o = 3 * (y * w + x);
          out[o] = (byte) s;
          out[o + 1] = (byte) s;
          out[o + 2] = (byte) s;
        }
      }
      return RgbImage.wrap(w, h, out);
    }
    if (plainSamples && cm.getColorSpace().isCS_sRGB()) {
      int shift = type == DataBuffer.TYPE_USHORT ? 8 : 0;
      int[] v = new int[w];
      for (int c = 0; c < 3; c++) {
        for (int y = 0; y < h; y++) {
          raster.getSamples(0, y, w, 1, c, v);
          for (int x = 0; x < w; x++) {
            out[3 * (y * w + x) + c] = (byte) (v[x] >>> shift);
          }
        }
      }
      return RgbImage.wrap(w, h, out);
    }
    int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
    for (int i = 0; i < argb.length; i++) {
      out[3 * i] = (byte) (argb[i] >> 16);
      out[3 * i + 1] = (byte) (argb[i] >> 8);
      out[3 * i + 2] = (byte) argb[i];
    }
    return RgbImage.wrap(w, h, out);
  }
}
