package dev.vvtq.imaging;

/**
 * torchvision's {@code Resize(int)}: the shorter side becomes {@code size} and the longer side
 * {@code int(size * long / short)} (truncated, as torchvision's {@code _compute_resized_output_size}).
 */
public final class ShorterSideResize {
  private ShorterSideResize() {}

  /** The {@code [width, height]} a {@code width x height} image is resized to. */
  public static int[] outputSize(int width, int height, int size) {
    if (size <= 0) {
      throw new IllegalArgumentException("resize size must be positive, got " + size);
    }
    if (width <= height) {
      return new int[] {size, (int) ((double) size * height / width)};
    }
    return new int[] {(int) ((double) size * width / height), size};
  }

  /** The image resized (PIL bilinear) so that its shorter side is {@code size}. */
  public static RgbImage apply(RgbImage image, int size) {
    int[] wh = outputSize(image.width(), image.height(), size);
    return PilBilinearResize.resize(image, wh[0], wh[1]);
  }
}
