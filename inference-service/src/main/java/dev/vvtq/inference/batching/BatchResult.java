package dev.vvtq.inference.batching;

/**
 * The outputs of one request and how it was served.
 *
 * @param outputs {@code n * outputElements} floats, the request's items in order
 * @param batchItems items in the engine call that computed it (this request's and others')
 * @param queueNanos from submission to the start of the engine call
 * @param computeNanos the engine call
 */
public record BatchResult(float[] outputs, int batchItems, long queueNanos, long computeNanos) {}
