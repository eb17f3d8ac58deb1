package dev.vvtq.inference.serving;

import dev.vvtq.inference.batching.BatchResult;

/**
 * Logits of one request and where its time went.
 *
 * @param logits {@code [n, numClasses]} row-major
 * @param prepareNanos decoding and preprocessing (or copying) the inputs
 */
public record InferenceOutcome(float[] logits, int n, int numClasses, BatchResult batch, long prepareNanos) {}
