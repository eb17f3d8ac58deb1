package dev.vvtq.imaging;

import java.util.Arrays;

/**
 * An 8-bit RGB image: {@code width * height * 3} bytes, interleaved ({@code R,G,B} per pixel),
 * row-major from the top-left corner; byte {@code 3 * (y * width + x) + c} is channel {@code c}
 * of pixel (x, y), read unsigned. This is the layout of a PIL "RGB" image as numpy sees it (HWC).
 */
public final class RgbImage {
  private final int width;
  private final int height;
  private final byte[] pixels;

  private RgbImage(int width, int height, byte[] pixels) {
    this.width = width;
    this.height = height;
    this.pixels = pixels;
  }

  /** Wraps interleaved RGB bytes (not copied: the caller hands ownership over). */
  public static RgbImage wrap(int width, int height, byte[] interleavedRgb) {
    if (width <= 0 || height <= 0) {
      throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
    }
    long expected = 3L * width * height;
    if (interleavedRgb.length != expected) {
      throw new IllegalArgumentException(
          width + "x" + height + " RGB needs " + expected + " bytes, got " + interleavedRgb.length);
    }
    return new RgbImage(width, height, interleavedRgb);
  }

  /** A black image of the given size. */
  public static RgbImage blank(int width, int height) {
    if (width <= 0 || height <= 0) {
      throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
    }
    return new RgbImage(width, height, new byte[Math.multiplyExact(3, Math.multiplyExact(width, height))]);
  }

  /** An image whose three channels all equal an 8-bit grayscale plane (row-major). */
  public static RgbImage fromGray(int width, int height, byte[] gray) {
    if (gray.length != (long) width * height) {
      throw new IllegalArgumentException(
          width + "x" + height + " gray needs " + ((long) width * height) + " bytes, got " + gray.length);
    }
    RgbImage out = blank(width, height);
    for (int i = 0; i < gray.length; i++) {
      out.pixels[3 * i] = gray[i];
      out.pixels[3 * i + 1] = gray[i];
      out.pixels[3 * i + 2] = gray[i];
    }
    return out;
  }

  public int width() {
    return width;
  }

  public int height() {
    return height;
  }

  /** The backing interleaved RGB array (no copy; do not modify an image you did not create). */
  public byte[] pixels() {
    return pixels;
  }

  /** Channel {@code c} (0 = R, 1 = G, 2 = B) of pixel (x, y), 0..255. */
  public int get(int x, int y, int c) {
    return pixels[3 * (y * width + x) + c] & 0xff;
  }

  /** Sets channel {@code c} of pixel (x, y) to {@code value} (0..255). */
  public void set(int x, int y, int c, int value) {
    if (value < 0 || value > 255) {
      throw new IllegalArgumentException("channel value " + value + " outside 0..255");
    }
    pixels[3 * (y * width + x) + c] = (byte) value;
  }

  /**
   * The pixels of {@code box}, copied; the box must lie inside the image (torchvision pads
   * outside boxes, which none of our transforms produce, so it is refused here).
   */
  public RgbImage crop(CropBox box) {
    if (box.left() < 0 || box.top() < 0 || box.left() + box.width() > width
        || box.top() + box.height() > height) {
      throw new IllegalArgumentException(box + " does not lie inside the " + width + "x" + height + " image");
    }
    byte[] out = new byte[3 * box.width() * box.height()];
    int rowBytes = 3 * box.width();
    for (int y = 0; y < box.height(); y++) {
      System.arraycopy(pixels, 3 * ((box.top() + y) * width + box.left()), out, y * rowBytes, rowBytes);
    }
    return new RgbImage(box.width(), box.height(), out);
  }

  /** A left-right mirrored copy (PIL's {@code FLIP_LEFT_RIGHT}). */
  public RgbImage flipHorizontal() {
    byte[] out = new byte[pixels.length];
    for (int y = 0; y < height; y++) {
      int row = 3 * y * width;
      for (int x = 0; x < width; x++) {
        int src = row + 3 * x;
        int dst = row + 3 * (width - 1 - x);
        out[dst] = pixels[src];
        out[dst + 1] = pixels[src + 1];
        out[dst + 2] = pixels[src + 2];
      }
    }
    return new RgbImage(width, height, out);
  }

  /** A copy that owns its own pixel array. */
  public RgbImage copy() {
    return new RgbImage(width, height, pixels.clone());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RgbImage r && r.width == width && r.height == height && Arrays.equals(r.pixels, pixels);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * width + height) + Arrays.hashCode(pixels);
  }

  @Override
  public String toString() {
    return "RgbImage[" + width + "x" + height + "]";
  }
}
