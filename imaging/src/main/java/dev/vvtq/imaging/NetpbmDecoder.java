package dev.vvtq.imaging;

/**
 * Reads PGM and PPM (P2, P3 plain; P5, P6 binary), which javax.imageio lacks. Samples are brought
 * to 8 bits: for maxval below 256 by {@code round(v * 255 / maxval)}; above 255, gray samples are
 * clipped at 255 (what PIL's 32-bit "I" mode gives after {@code convert('RGB')}) and colour samples
 * are scaled by {@code round(v * 255 / maxval)}.
 */
final class NetpbmDecoder {
  private final byte[] data;
  private final String source;
  private int pos;

  private NetpbmDecoder(byte[] data, String source) {
    this.data = data;
    this.source = source;
  }

  static boolean looksLikeNetpbm(byte[] data) {
    return data.length >= 2 && data[0] == 'P' && (data[1] == '2' || data[1] == '3' || data[1] == '5' || data[1] == '6');
  }

  static RgbImage decode(byte[] data, String source) {
    return new NetpbmDecoder(data, source).read();
  }

  private RgbImage read() {
    char kind = (char) data[1];
    pos = 2;
    int width = nextInt("width");
    int height = nextInt("height");
    int maxval = nextInt("maxval");
    if (width <= 0 || height <= 0) {
      throw new ImageDecodeException(source, "netpbm size " + width + "x" + height + " is not positive");
    }
    if (maxval <= 0 || maxval > 65535) {
      throw new ImageDecodeException(source, "netpbm maxval " + maxval + " outside 1..65535");
    }
    boolean color = kind == '3' || kind == '6';
    boolean binary = kind == '5' || kind == '6';
    int channels = color ? 3 : 1;
    long samples = (long) width * height * channels;
    if (samples > Integer.MAX_VALUE / 2) {
      throw new ImageDecodeException(source, "netpbm image " + width + "x" + height + " is too large");
    }
    if (binary) {
      pos++; // exactly one whitespace byte separates the header from binary data
    }
    int bytesPerSample = maxval > 255 ? 2 : 1;
    if (binary && pos + samples * bytesPerSample > data.length) {
      throw new ImageDecodeException(source, "netpbm data truncated: needs " + samples * bytesPerSample
          + " bytes after the header, has " + Math.max(0, data.length - pos));
    }
    byte[] out = new byte[3 * width * height];
    for (int i = 0; i < width * height; i++) {
      for (int c = 0; c < channels; c++) {
        int v;
        if (binary) {
          v = bytesPerSample == 1 ? data[pos++] & 0xff : ((data[pos++] & 0xff) << 8) | (data[pos++] & 0xff);
        } else {
          v = nextInt("sample");
        }
        if (v > maxval) {
          throw new ImageDecodeException(source, "netpbm sample " + v + " exceeds maxval " + maxval);
        }
        int eight;
        if (maxval == 255) {
          eight = v;
        } else if (maxval > 255 && !color) {
          eight = Math.min(v, 255);
        } else {
          eight = (int) Math.round(v * 255.0 / maxval);
        }
        if (color) {
          out[3 * i + c] = (byte) eight;
        } else {
          out[3 * i] = (byte) eight;
          out[3 * i + 1] = (byte) eight;
          out[3 * i + 2] = (byte) eight;
        }
      }
    }
    return RgbImage.wrap(width, height, out);
  }

  private int nextInt(String what) {
    while (pos < data.length) {
      byte b = data[pos];
      if (b == '#') {
        while (pos < data.length && data[pos] != '\n' && data[pos] != '\r') {
          pos++;
        }
      } else if (Character.isWhitespace(b)) {
        pos++;
      } else {
        break;
      }
    }
    long v = 0;
    int start = pos;
    while (pos < data.length && data[pos] >= '0' && data[pos] <= '9') {
      v = v * 10 + (data[pos++] - '0');
      if (v > Integer.MAX_VALUE) {
        throw new ImageDecodeException(source, "netpbm " + what + " is too large");
      }
    }
    if (pos == start) {
      throw new ImageDecodeException(source, "netpbm header or data ends early: expected the " + what);
    }
    return (int) v;
  }
}
