package dev.vvtq.engine.kernels;

/** Per-thread buffers of {@link VectorKernels}: widened weight panels and register-tile spills. */
final class VectorScratch implements KernelScratch {
  /** Budget for widened panels: about a quarter of a 2 MiB L2, shared with the left operand tile. */
  static final int WIDE_BUDGET_BYTES = 512 * 1024;

  final double[] widePanels;
  final float[] widePanelsF;
  /** A row tile of the 8-bit product's left operand, narrowed to floats. */
  final float[] tileRowsF;
  final double[] tile = new double[VectorLowBitGemm.ROWS * VectorLowBitGemm.WEIGHT_VECS * VectorLowBitGemm.DL];
  final float[] tileF = new float[VectorInt8Gemm.ROWS * VectorInt8Gemm.VECS * VectorInt8Gemm.FL];
  /** One row of floats between the stages of GELU and softmax. */
  final float[] row;
  /** The last partial vector of a softmax row, padded. */
  final int[] tail = new int[VectorFloatOps.FL];
  /** Mean and inverse deviation of a LayerNorm row. */
  final float[] stats = new float[2];
  /** One float vector spilled, its lanes summed in a fixed order (VectorFloatOps#sumInLaneOrder). */
  final float[] lanes = new float[VectorFloatOps.FL];
  /** Room for overlapping spills of full-width int vectors. */
  final int[] fields = new int[4 * VectorInt8Gemm.FL];

  VectorScratch(int maxK) {
    int lowBitPanel = maxK * VectorLowBitGemm.WEIGHT_VECS * VectorLowBitGemm.DL;
    widePanels = new double[Math.max(lowBitPanel, WIDE_BUDGET_BYTES / 8)];
    int int8Panel = maxK * VectorInt8Gemm.VECS * VectorInt8Gemm.FL;
    widePanelsF = new float[Math.max(int8Panel, WIDE_BUDGET_BYTES / 4)];
    row = new float[maxK + VectorFloatOps.FL];
    tileRowsF = new float[VectorInt8Gemm.ROW_TILE * maxK];
  }

  @Override
  public long bytesHeld() {
    return widePanels.length * 8L + widePanelsF.length * 4L + tile.length * 8L + tileF.length * 4L + row.length * 4L
        + lanes.length * 4L + tileRowsF.length * 4L;
  }
}
