package dev.vvtq.engine.kernels;

/**
 * A low-bit right operand in panels of three fields: lane j of vector v of panel p holds rows {@code
 * n = p*3W + v*3L + f*L + j} for fields f = 0, 1, 2 (W = vectors x lanes L) as one double {@code w0 +
 * 2^17 w1 + 2^34 w2}, so each fused multiply-add does three products, and a vector's three fields
 * decode to 3L contiguous output columns.
 *
 * <p>Weights stay compact (4 bits each: {@link #compact}) and are widened panel by panel into the
 * thread's scratch during a product; per-call operands (k, v) are packed {@link #wide} directly.
 */
final class VectorLowBitMatrix implements LowBitMatrix {
  /** Vectors per panel: 4 for weights (96 rows per panel with 8 lanes), 3 for per-call operands. */
  final int vecs;
  /** Per panel and column: {@code vecs} words of lane bytes (fields 0 and 1) then the field-2 nibble words. */
  final long[] compact;
  /** Per panel and column: {@code vecs * lanes} doubles. */
  final double[] wide;
  final int maxCols;
  int rows;
  int cols;
  int bits;

  private VectorLowBitMatrix(int vecs, long[] compact, double[] wide, int rows, int cols, int maxCols) {
    this.vecs = vecs;
    this.compact = compact;
    this.wide = wide;
    this.rows = rows;
    this.cols = cols;
    this.maxCols = maxCols;
  }

  static int lanes() {
    return VectorLowBitGemm.DL;
  }

  /** Rows covered by one panel. */
  int panelRows() {
    return 3 * vecs * lanes();
  }

  int panels() {
    return (rows + panelRows() - 1) / panelRows();
  }

  /** Compact words per (panel, column). */
  int wordsPerColumn() {
    return vecs + (vecs + 1) / 2;
  }

  static VectorLowBitMatrix compact(int rows, int cols, int bits) {
    int vecs = VectorLowBitGemm.WEIGHT_VECS;
    int panelRows = 3 * vecs * lanes();
    int panels = (rows + panelRows - 1) / panelRows;
    VectorLowBitMatrix m =
        new VectorLowBitMatrix(vecs, new long[panels * cols * (vecs + (vecs + 1) / 2)], null, rows, cols, cols);
    m.bits = bits;
    return m;
  }

  static VectorLowBitMatrix wide(int maxRows, int maxCols) {
    int vecs = VectorLowBitGemm.OPERAND_VECS;
    int panelRows = 3 * vecs * lanes();
    int panels = (maxRows + panelRows - 1) / panelRows;
    return new VectorLowBitMatrix(vecs, null, new double[panels * maxCols * vecs * lanes()], maxRows, maxCols, maxCols);
  }

  @Override
  public int rows() {
    return rows;
  }

  @Override
  public int cols() {
    return cols;
  }

  @Override
  public int bits() {
    return bits;
  }

  @Override
  public long bytesHeld() {
    return compact != null ? compact.length * 8L : wide.length * 8L;
  }
}
