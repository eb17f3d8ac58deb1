package dev.vvtq.qat.data;

import ai.djl.ndarray.NDArray;

/**
 * One batch as DJL arrays on the caller's manager: {@code images} float32 {@code [B, 3, H, W]} and
 * {@code targets}, int64 labels {@code [B]} or float32 soft targets {@code [B, C]}; {@code labels}
 * always holds the ground-truth classes (int64 {@code [B]}, the same array as {@code targets} for a
 * hard-label source). {@code items} are the dataset indices, one per item (each contributing
 * {@code B / items.length} consecutive samples). Closing frees the arrays.
 */
public record Batch(int epoch, int number, NDArray images, NDArray targets, NDArray labels, int[] items)
    implements AutoCloseable {

  /** Number of samples. */
  public int size() {
    return (int) images.getShape().get(0);
  }

  @Override
  public void close() {
    images.close();
    targets.close();
    if (labels != targets) {
      labels.close();
    }
  }
}
