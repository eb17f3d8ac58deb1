package dev.vvtq.inference.serving;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Refuses compressed images whose header declares more pixels than a limit, before decoding: a few
 * kilobytes of PNG can declare gigapixels, and decoding them would exhaust the heap. Reads only the
 * header; formats javax.imageio cannot size (PPM/PGM, whose size is bounded by the message size
 * anyway) pass through to the decoder.
 */
public final class ImageSizeGuard {
  private final long maxPixels;

  public ImageSizeGuard(long maxPixels) {
    if (maxPixels < 1) {
      throw new IllegalArgumentException("max pixels must be >= 1, got " + maxPixels);
    }
    this.maxPixels = maxPixels;
  }

  /** @throws InvalidRequestException when the header declares more than the limit */
  public void check(byte[] encoded, String name) {
    try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(encoded))) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        return;
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
        if (pixels > maxPixels) {
          throw new InvalidRequestException(name + " is " + reader.getWidth(0) + "x" + reader.getHeight(0) + " = " + pixels
              + " pixels, more than this server decodes (" + maxPixels + "); send a smaller image");
        }
      } finally {
        reader.dispose();
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof InvalidRequestException invalid) {
        throw invalid;
      }
      // An unreadable header: the decoder will report the reason.
    }
  }
}
