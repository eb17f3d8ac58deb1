package dev.vvtq.imaging;

/**
 * Resizes like Pillow's {@code Image.resize(size, BILINEAR)} on an 8-bit RGB image, value for
 * value: a triangle filter of support 1 that is widened by the scale factor when shrinking (so
 * downscaling is antialiased), applied as a horizontal pass then a vertical pass, each with
 * Pillow's 22-bit fixed-point coefficients and rounding to 8 bits in between.
 */
public final class PilBilinearResize {
  private static final int PRECISION_BITS = 32 - 8 - 2;
  private static final double SUPPORT = 1.0;

  private PilBilinearResize() {}

  /** Taps of one output coordinate: the first input index and fixed-point weights. */
  private record Taps(int[] first, int[] count, int[][] weights) {}

  /** The image resized to {@code outWidth x outHeight}; a same-size request returns a copy. */
  public static RgbImage resize(RgbImage in, int outWidth, int outHeight) {
    if (outWidth <= 0 || outHeight <= 0) {
      throw new IllegalArgumentException("resize target must be positive, got " + outWidth + "x" + outHeight);
    }
    boolean horizontal = outWidth != in.width();
    boolean vertical = outHeight != in.height();
    if (!horizontal && !vertical) {
      return in.copy();
    }
    Taps rows = taps(in.height(), outHeight);
    RgbImage current = in;
    int rowOffset = 0;
    if (horizontal) {
      // Only the input rows the vertical pass will read need the horizontal pass (as Pillow does).
      int firstRow = rows.first[0];
      int lastRow = rows.first[outHeight - 1] + rows.count[outHeight - 1];
      if (!vertical) {
        firstRow = 0;
        lastRow = in.height();
      }
      current = horizontalPass(in, taps(in.width(), outWidth), firstRow, lastRow);
      rowOffset = firstRow;
    }
    if (vertical) {
      current = verticalPass(current, rows, rowOffset);
    }
    return current;
  }

  private static Taps taps(int inSize, int outSize) {
    double scale = (double) inSize / outSize;
    double filterScale = Math.max(scale, 1.0);
    double support = SUPPORT * filterScale;
    int[] first = new int[outSize];
    int[] count = new int[outSize];
    int[][] weights = new int[outSize][];
    double[] w = new double[(int) Math.ceil(support) * 2 + 1];
    for (int o = 0; o < outSize; o++) {
      double center = (o + 0.5) * scale;
      // Pillow truncates toward zero after adding 0.5; the clamps keep the window inside the input.
      int lo = Math.max((int) (center - support + 0.5), 0);
      int hi = Math.min((int) (center + support + 0.5), inSize);
      int n = hi - lo;
      double sum = 0;
      for (int k = 0; k < n; k++) {
        double d = Math.abs((k + lo - center + 0.5) / filterScale);
        w[k] = d < 1.0 ? 1.0 - d : 0.0;
        sum += w[k];
      }
      int[] fixed = new int[n];
      for (int k = 0; k < n; k++) {
        double v = sum != 0.0 ? w[k] / sum : w[k];
        fixed[k] = (int) (v < 0 ? -0.5 + v * (1 << PRECISION_BITS) : 0.5 + v * (1 << PRECISION_BITS));
      }
      first[o] = lo;
      count[o] = n;
      weights[o] = fixed;
    }
    return new Taps(first, count, weights);
  }

  private static int clip8(int acc) {
    int v = acc >> PRECISION_BITS;
    return v < 0 ? 0 : Math.min(v, 255);
  }

  private static RgbImage horizontalPass(RgbImage in, Taps cols, int firstRow, int lastRow) {
    int outW = cols.first.length;
    int inW = in.width();
    byte[] src = in.pixels();
    byte[] dst = new byte[3 * outW * (lastRow - firstRow)];
    int half = 1 << (PRECISION_BITS - 1);
    for (int y = firstRow; y < lastRow; y++) {
      int srcRow = 3 * y * inW;
      int dstRow = 3 * (y - firstRow) * outW;
      for (int x = 0; x < outW; x++) {
        int[] k = cols.weights[x];
        int base = srcRow + 3 * cols.first[x];
        int r = half;
        int g = half;
        int b = half;
        for (int t = 0; t < k.length; t++) {
          int p = base + 3 * t;
          r += (src[p] & 0xff) * k[t];
          g += (src[p + 1] & 0xff) * k[t];
          b += (src[p + 2] & 0xff) * k[t];
        }
        int q = dstRow + 3 * x;
        dst[q] = (byte) clip8(r);
        dst[q + 1] = (byte) clip8(g);
        dst[q + 2] = (byte) clip8(b);
      }
    }
    return RgbImage.wrap(outW, lastRow - firstRow, dst);
  }

  private static RgbImage verticalPass(RgbImage in, Taps rows, int rowOffset) {
    int outH = rows.first.length;
    int w = in.width();
    byte[] src = in.pixels();
    byte[] dst = new byte[3 * w * outH];
    int half = 1 << (PRECISION_BITS - 1);
    int rowBytes = 3 * w;
    for (int y = 0; y < outH; y++) {
      int[] k = rows.weights[y];
      int base = (rows.first[y] - rowOffset) * rowBytes;
      int dstRow = y * rowBytes;
      for (int i = 0; i < rowBytes; i++) {
        int acc = half;
        for (int t = 0; t < k.length; t++) {
          acc += (src[base + t * rowBytes + i] & 0xff) * k[t];
        }
        dst[dstRow + i] = (byte) clip8(acc);
      }
    }
    return RgbImage.wrap(w, outH, dst);
  }
}
