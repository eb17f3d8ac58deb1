package dev.vvtq.imaging;

/**
 * An integer pixel box in torchvision's order {@code (top, left, height, width)}, i.e. the {@code
 * (i, j, h, w)} that {@code RandomResizedCrop.get_params} returns; PIL's crop box is {@code (left,
 * top, left + width, top + height)}.
 */
public record CropBox(int top, int left, int height, int width) {
  public CropBox {
    if (height <= 0 || width <= 0) {
      throw new IllegalArgumentException("crop box must have a positive size, got h=" + height + " w=" + width);
    }
  }

  /** The whole of a {@code width x height} image. */
  public static CropBox whole(int imageWidth, int imageHeight) {
    return new CropBox(0, 0, imageHeight, imageWidth);
  }

  /**
   * The box as fractions of the image, {@code [top/H, left/W, height/H, width/W]}, computed in
   * double and rounded once to float; {@link #fromRelative} inverts it exactly for any image side
   * below 2^22 pixels, because the float error (at most {@code side * 2^-24}) stays far below 0.5.
   */
  public float[] toRelative(int imageWidth, int imageHeight) {
    return new float[] {
      (float) ((double) top / imageHeight),
      (float) ((double) left / imageWidth),
      (float) ((double) height / imageHeight),
      (float) ((double) width / imageWidth)
    };
  }

  /**
   * The integer box that relative coordinates denote on a {@code width x height} image; each
   * coordinate is rounded to the nearest pixel (half to even, as Python's {@code round} in PIL's
   * crop), then clamped so the box stays inside the image.
   */
  public static CropBox fromRelative(float[] relative, int imageWidth, int imageHeight) {
    if (relative.length != 4) {
      throw new IllegalArgumentException("relative box needs 4 values [top, left, height, width], got " + relative.length);
    }
    int top = (int) Math.rint(relative[0] * (double) imageHeight);
    int left = (int) Math.rint(relative[1] * (double) imageWidth);
    int height = (int) Math.rint(relative[2] * (double) imageHeight);
    int width = (int) Math.rint(relative[3] * (double) imageWidth);
    top = Math.max(0, Math.min(top, imageHeight - 1));
    left = Math.max(0, Math.min(left, imageWidth - 1));
    height = Math.max(1, Math.min(height, imageHeight - top));
    width = Math.max(1, Math.min(width, imageWidth - left));
    return new CropBox(top, left, height, width);
  }
}
