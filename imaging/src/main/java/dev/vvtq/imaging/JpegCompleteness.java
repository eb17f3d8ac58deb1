package dev.vvtq.imaging;

/**
 * Checks that a JPEG stream is complete, as Pillow does before it accepts one: every marker segment
 * lies inside the data and the compressed image data is followed by an end-of-image (EOI) marker.
 *
 * <p>Needed because ImageIO's JPEG reader (the JDK's, and TwelveMonkeys' that wraps it) only warns
 * on truncation and fills the missing blocks with grey. The check walks the marker structure; it
 * does not decode, so corrupt but complete entropy data is left to the decoder (Pillow accepts it
 * with a libjpeg warning too).
 */
final class JpegCompleteness {
  private static final int MARKER = 0xFF;
  private static final int SOI = 0xD8;
  private static final int EOI = 0xD9;
  private static final int SOS = 0xDA;
  private static final int TEM = 0x01;

  private JpegCompleteness() {}

  /** Whether the bytes start with a JPEG start-of-image marker. */
  static boolean isJpeg(byte[] b) {
    return b.length >= 2 && (b[0] & 0xFF) == MARKER && (b[1] & 0xFF) == SOI;
  }

  /**
   * Why a JPEG stream is incomplete, or {@code null} when it reaches its EOI marker. The reasons
   * name what is missing and what to do.
   */
  static String problem(byte[] b) {
    int n = b.length;
    int pos = 2;
    boolean sawScan = false;
    while (pos < n) {
      if ((b[pos] & 0xFF) != MARKER) {
        // Stray bytes between segments: libjpeg skips them with a warning, so do we.
        pos++;
        continue;
      }
      while (pos < n && (b[pos] & 0xFF) == MARKER) {
        pos++; // fill bytes before a marker code
      }
      if (pos >= n) {
        break;
      }
      int marker = b[pos++] & 0xFF;
      if (marker == EOI) {
        return sawScan ? null : truncated(n, "it ends (EOI marker) before any compressed image data");
      }
      if (marker == TEM || marker == SOI || (marker >= 0xD0 && marker <= 0xD7)) {
        continue; // markers without a length field
      }
      if (pos + 2 > n) {
        return truncated(n, "it ends inside the header of segment 0xFF" + hex(marker));
      }
      int length = ((b[pos] & 0xFF) << 8) | (b[pos + 1] & 0xFF);
      if (length < 2) {
        return "corrupt JPEG: segment 0xFF" + hex(marker) + " at byte " + (pos - 2) + " declares length " + length;
      }
      if ((long) pos + length > n) {
        return truncated(n, "segment 0xFF" + hex(marker) + " at byte " + (pos - 2) + " needs " + length
            + " bytes but only " + (n - pos) + " remain");
      }
      pos += length;
      if (marker == SOS) {
        sawScan = true;
        pos = endOfEntropyData(b, pos);
        if (pos < 0) {
          return truncated(n, "it ends inside the compressed image data, before the end-of-image marker");
        }
      }
    }
    return truncated(n, "no end-of-image (EOI) marker");
  }

  /** Index of the marker that ends the entropy-coded data starting at {@code pos}, or -1 at end of data. */
  private static int endOfEntropyData(byte[] b, int pos) {
    int n = b.length;
    while (pos + 1 < n) {
      if ((b[pos] & 0xFF) != MARKER) {
        pos++;
        continue;
      }
      int next = b[pos + 1] & 0xFF;
      if (next == 0x00 || (next >= 0xD0 && next <= 0xD7)) {
        pos += 2; // stuffed 0xFF byte or restart marker: still inside the scan
      } else if (next == MARKER) {
        pos++;
      } else {
        return pos;
      }
    }
    return -1;
  }

  private static String truncated(int length, String what) {
    return "truncated JPEG (" + length + " bytes): " + what
        + "; the file is incomplete (cut short in transfer or storage): fetch or re-encode it";
  }

  private static String hex(int marker) {
    return String.format("%02X", marker);
  }
}
