package dev.vvtq.engine.model;

/**
 * A weight-quantized layer as exported, unpacked: {@code W_int} one signed value per byte, row-major
 * {@code [out][in]}, the step per group and the float bias.
 */
public record LinearWeights(LinearSpec spec, byte[] weights, float[] steps, float[] bias) {

  /** Step of output row {@code o} and input column {@code i}, following the group axis. */
  public float step(int o, int i) {
    if (steps.length == 1) {
      return steps[0];
    }
    int size = ("in".equals(spec.groupAxis()) ? spec.in() : spec.out()) / spec.groups();
    return steps[("in".equals(spec.groupAxis()) ? i : o) / size];
  }
}
