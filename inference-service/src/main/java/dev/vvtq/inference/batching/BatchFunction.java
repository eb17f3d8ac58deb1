package dev.vvtq.inference.batching;

/** The computation a batcher runs: {@code n} inputs laid end to end in, {@code n} outputs out. */
@FunctionalInterface
public interface BatchFunction {
  /**
   * Outputs of {@code n} items, {@code n * outputElements} floats, from the first {@code n *
   * inputElements} floats of {@code inputs} (the array may be longer).
   */
  float[] apply(float[] inputs, int n);
}
