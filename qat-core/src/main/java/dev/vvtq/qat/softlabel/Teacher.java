package dev.vvtq.qat.softlabel;

import ai.djl.ndarray.NDArray;

/**
 * A teacher network as the soft-label generator sees it: normalised images float32 {@code [B, 3,
 * H, W]} in, logits {@code [B, C]} out (before softmax). Called from one thread at a time; the
 * returned array may live on the input's manager, which the generator closes after each batch.
 */
@FunctionalInterface
public interface Teacher {
  NDArray logits(NDArray images);
}
