package dev.vvtq.engine;

/** One class of a top-k answer: its index, name and softmax probability. */
public record Prediction(int index, String label, float probability) {}
