package dev.vvtq.imaging;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes image files or bytes into {@link RgbImage}, choosing the reader by content (not by
 * extension), taking the first frame of multi-frame files, and converting to RGB as PIL's {@code
 * convert('RGB')} does (see {@link RgbConversion}). Thread-safe.
 *
 * <p>Incomplete data is refused as Pillow refuses it: a JPEG must reach its end-of-image marker
 * ({@link JpegCompleteness}; ImageIO alone would grey-fill the missing part), and a PNG must hold
 * all its compressed rows (the JDK reader fails otherwise; a missing IEND chunk is accepted, as
 * Pillow accepts it).
 *
 * <p>Pixel values of JPEGs can differ by a few levels from PIL's, whose libjpeg(-turbo) uses other
 * IDCT and chroma upsampling; lossless formats match exactly.
 */
public final class ImageDecoder {
  static {
    // The disk cache only slows decoding of in-memory streams; it also needs a writable temp dir.
    ImageIO.setUseCache(false);
  }

  private ImageDecoder() {}

  /** Decodes a file; any failure names the file. */
  public static RgbImage decode(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new ImageDecodeException(file.toString(), "file does not exist", e);
    } catch (IOException e) {
      throw new ImageDecodeException(file.toString(), "cannot read file: " + e.getMessage(), e);
    }
    return decode(bytes, file.toString());
  }

  /** Decodes encoded bytes; {@code sourceName} (a path or request id) appears in errors. */
  public static RgbImage decode(byte[] encoded, String sourceName) {
    if (encoded.length == 0) {
      throw new ImageDecodeException(sourceName, "empty input (0 bytes)");
    }
    if (NetpbmDecoder.looksLikeNetpbm(encoded)) {
      return NetpbmDecoder.decode(encoded, sourceName);
    }
    if (isWebp(encoded)) {
      throw new ImageDecodeException(sourceName,
          "WebP is not supported: no javax.imageio WebP reader is available; convert the file to PNG or JPEG");
    }
    if (JpegCompleteness.isJpeg(encoded)) {
      String problem = JpegCompleteness.problem(encoded);
      if (problem != null) {
        throw new ImageDecodeException(sourceName, problem);
      }
    }
    BufferedImage image;
    try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(encoded))) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        throw new ImageDecodeException(sourceName,
            "unrecognised format (supported: " + String.join(" ", ImageExtensions.DECODABLE) + ")");
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        image = reader.read(0);
      } finally {
        reader.dispose();
      }
    } catch (ImageDecodeException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      // ImageIO reports corrupt data as IOException or, for some readers, as runtime exceptions.
      throw new ImageDecodeException(sourceName, "corrupt or truncated data (" + e + ")", e);
    }
    if (image == null) {
      throw new ImageDecodeException(sourceName, "the reader returned no image");
    }
    return RgbConversion.toRgb(image, sourceName);
  }

  private static boolean isWebp(byte[] b) {
    return b.length >= 12 && b[0] == 'R' && b[1] == 'I' && b[2] == 'F' && b[3] == 'F'
        && b[8] == 'W' && b[9] == 'E' && b[10] == 'B' && b[11] == 'P';
  }
}
