package dev.vvtq.engine.kernels;

/**
 * An 8-bit right operand in panels of {@link VectorInt8Gemm#VECS} float vectors: element (n, k) sits
 * at panel {@code n / W}, column k, lane {@code n % W}. Weights stay bytes ({@link #compact}) and are
 * widened to floats per panel during a product; per-call operands are stored as floats ({@link #wide}).
 */
final class VectorInt8Matrix implements Int8Matrix {
  final byte[] compact;
  final float[] wide;
  final int maxRows;
  final int maxCols;
  int rows;
  int cols;
  int bits;

  private VectorInt8Matrix(byte[] compact, float[] wide, int rows, int cols, int maxRows, int maxCols) {
    this.compact = compact;
    this.wide = wide;
    this.rows = rows;
    this.cols = cols;
    this.maxRows = maxRows;
    this.maxCols = maxCols;
  }

  static int panelRows() {
    return VectorInt8Gemm.VECS * VectorInt8Gemm.FL;
  }

  static int panels(int rows) {
    return (rows + panelRows() - 1) / panelRows();
  }

  int panels() {
    return panels(rows);
  }

  static VectorInt8Matrix compact(int rows, int cols, int bits) {
    VectorInt8Matrix m = new VectorInt8Matrix(new byte[panels(rows) * cols * panelRows()], null, rows, cols, rows, cols);
    m.bits = bits;
    return m;
  }

  static VectorInt8Matrix wide(int maxRows, int maxCols) {
    return new VectorInt8Matrix(null, new float[panels(maxRows) * maxCols * panelRows()], maxRows, maxCols, maxRows, maxCols);
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
    return compact != null ? compact.length : wide.length * 4L;
  }
}
