package dev.vvtq.engine.model;

/** An activation quantizer as exported: its spec, the step per group and the offset (0 without). */
public record QuantizerParams(QuantizerSpec spec, float[] steps, float offset) {}
