package dev.vvtq.imaging;

import java.util.List;
import java.util.Locale;

/**
 * torchvision's {@code IMG_EXTENSIONS} and which of them this module decodes. Decoded: JPEG (JDK
 * reader, plus TwelveMonkeys for CMYK/YCCK), PNG, BMP, TIFF (JDK 9+ readers), PPM/PGM (own reader,
 * binary and plain). Not decoded: WebP, for which no javax.imageio reader is on the classpath.
 */
public final class ImageExtensions {
  /** The extensions torchvision's ImageFolder accepts, lower case, with the dot. */
  public static final List<String> TORCHVISION =
      List.of(".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp");

  /** The subset whose files {@link ImageDecoder} can decode. */
  public static final List<String> DECODABLE =
      List.of(".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff");

  private ImageExtensions() {}

  /** Whether a file name ends (case-insensitively) with one of torchvision's extensions. */
  public static boolean isImageFile(String fileName) {
    String lower = fileName.toLowerCase(Locale.ROOT);
    for (String ext : TORCHVISION) {
      if (lower.endsWith(ext)) {
        return true;
      }
    }
    return false;
  }
}
