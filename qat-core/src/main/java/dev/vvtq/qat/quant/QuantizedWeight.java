package dev.vvtq.qat.quant;

import ai.djl.ndarray.NDArray;

/**
 * One layer's weight after quantization in a training forward, as the bin regulariser needs it.
 *
 * @param layer the layer's dotted name
 * @param quantized {@code Wq = round_pass(clamp(W/a)) * a} (with gradient)
 * @param clipped {@code Wc = clamp(W/a) * a} (with gradient)
 * @param integers {@code W_int = round(clamp(W/a))} (no gradient)
 * @param step the gradient-scaled step {@code a}, broadcastable against the weight
 */
public record QuantizedWeight(
    String layer, NDArray quantized, NDArray clipped, NDArray integers, NDArray step, QuantRange range) {}
