package dev.vvtq.qat.loss;

import ai.djl.ndarray.NDArray;

/** {@code mean over batch of -sum_c target_c * log_softmax(logits)_c}: FKD's soft cross-entropy. */
public final class SoftCrossEntropy {
  private SoftCrossEntropy() {}

  /** Loss of logits [B, C] against soft targets [B, C] (rows sum to 1). */
  public static NDArray loss(NDArray logits, NDArray targets) {
    return logits.logSoftmax(-1).mul(targets).sum(new int[] {1}).mean().neg();
  }

  /** Ordinary cross-entropy against integer labels [B] (int64), as one-hot soft targets. */
  public static NDArray hardLoss(NDArray logits, NDArray labels) {
    int classes = (int) logits.getShape().get(1);
    NDArray oneHot = labels.toType(ai.djl.ndarray.types.DataType.INT64, false).oneHot(classes);
    return loss(logits, oneHot.toType(ai.djl.ndarray.types.DataType.FLOAT32, false));
  }
}
