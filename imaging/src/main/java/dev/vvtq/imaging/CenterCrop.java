package dev.vvtq.imaging;

/** torchvision's {@code CenterCrop} box: offsets {@code round((size - crop) / 2)}, half to even. */
public final class CenterCrop {
  private CenterCrop() {}

  /** The centred {@code cropWidth x cropHeight} box of a {@code width x height} image. */
  public static CropBox box(int width, int height, int cropWidth, int cropHeight) {
    if (cropWidth > width || cropHeight > height) {
      throw new IllegalArgumentException(
          "centre crop " + cropWidth + "x" + cropHeight + " is larger than the " + width + "x" + height
              + " image (torchvision would pad; resize the shorter side to at least the crop first)");
    }
    int top = (int) Math.rint((height - cropHeight) / 2.0);
    int left = (int) Math.rint((width - cropWidth) / 2.0);
    return new CropBox(top, left, cropHeight, cropWidth);
  }

  /** The centred crop of an image. */
  public static RgbImage apply(RgbImage image, int cropWidth, int cropHeight) {
    return image.crop(box(image.width(), image.height(), cropWidth, cropHeight));
  }
}
