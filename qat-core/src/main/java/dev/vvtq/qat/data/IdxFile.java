package dev.vvtq.qat.data;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.zip.GZIPInputStream;

/**
 * The IDX format of MNIST and Fashion-MNIST: big-endian magic {@code 0x00000803} (2051) for
 * unsigned-byte 3-D image arrays {@code [count, rows, cols]}, {@code 0x00000801} (2049) for 1-D
 * label arrays {@code [count]}, then the bytes. Parsing is strict: a wrong magic, wrong
 * dimensions, truncated or overlong data all fail with a message naming the file.
 */
public final class IdxFile {
  /** Magic number of an idx3 unsigned-byte image file. */
  public static final int IMAGES_MAGIC = 2051;
  /** Magic number of an idx1 unsigned-byte label file. */
  public static final int LABELS_MAGIC = 2049;

  /** Images as one byte array of {@code count * rows * cols} row-major pixels. */
  public record Images(int count, int rows, int cols, byte[] pixels) {}

  private IdxFile() {}

  /** The file's bytes, gunzipped when they start with the gzip magic. */
  public static byte[] content(byte[] fileBytes, String name) throws IOException {
    if (fileBytes.length >= 2 && (fileBytes[0] & 0xff) == 0x1f && (fileBytes[1] & 0xff) == 0x8b) {
      try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(fileBytes))) {
        return in.readAllBytes();
      } catch (IOException e) {
        throw new IOException(name + ": corrupt gzip data (" + e.getMessage() + ")", e);
      }
    }
    return fileBytes;
  }

  /** Parses an image file; {@code rows x cols} must equal the expected size. */
  public static Images parseImages(byte[] data, String name, int expectedRows, int expectedCols) throws IOException {
    if (data.length < 16) {
      throw new IOException(name + ": " + data.length + " bytes, shorter than the 16-byte idx3 header");
    }
    ByteBuffer b = ByteBuffer.wrap(data);
    int magic = b.getInt();
    if (magic != IMAGES_MAGIC) {
      throw new IOException(name + ": magic number " + magic + " is not " + IMAGES_MAGIC
          + " (idx3 unsigned-byte images)" + (magic == LABELS_MAGIC ? "; this looks like a label file" : ""));
    }
    int count = b.getInt();
    int rows = b.getInt();
    int cols = b.getInt();
    if (rows != expectedRows || cols != expectedCols) {
      throw new IOException(name + ": images are " + rows + "x" + cols + ", expected " + expectedRows + "x" + expectedCols);
    }
    if (count < 0) {
      throw new IOException(name + ": negative image count " + count);
    }
    long expected = (long) count * rows * cols;
    long present = data.length - 16L;
    if (present != expected) {
      throw new IOException(name + ": header announces " + count + " images (" + expected + " pixel bytes) but the file holds "
          + present + (present < expected ? " (truncated)" : " (trailing bytes)"));
    }
    byte[] pixels = new byte[(int) expected];
    b.get(pixels);
    return new Images(count, rows, cols, pixels);
  }

  /** Parses a label file; every label must be below {@code numClasses}. */
  public static byte[] parseLabels(byte[] data, String name, int numClasses) throws IOException {
    if (data.length < 8) {
      throw new IOException(name + ": " + data.length + " bytes, shorter than the 8-byte idx1 header");
    }
    ByteBuffer b = ByteBuffer.wrap(data);
    int magic = b.getInt();
    if (magic != LABELS_MAGIC) {
      throw new IOException(name + ": magic number " + magic + " is not " + LABELS_MAGIC
          + " (idx1 unsigned-byte labels)" + (magic == IMAGES_MAGIC ? "; this looks like an image file" : ""));
    }
    int count = b.getInt();
    if (count < 0) {
      throw new IOException(name + ": negative label count " + count);
    }
    long present = data.length - 8L;
    if (present != count) {
      throw new IOException(name + ": header announces " + count + " labels but the file holds " + present
          + (present < count ? " (truncated)" : " (trailing bytes)"));
    }
    byte[] labels = new byte[count];
    b.get(labels);
    for (int i = 0; i < count; i++) {
      if ((labels[i] & 0xff) >= numClasses) {
        throw new IOException(name + ": label " + (labels[i] & 0xff) + " at index " + i + " is not below " + numClasses);
      }
    }
    return labels;
  }
}
