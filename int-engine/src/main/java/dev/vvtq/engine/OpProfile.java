package dev.vvtq.engine;

import java.util.EnumMap;
import java.util.Map;

/**
 * Thread-time per {@link OpClass} summed over the engine's threads, and the wall time of the passes
 * it covers; {@code threads x wall - sum} is time spent waiting at phase barriers.
 */
public record OpProfile(Map<OpClass, Double> millis, double wallMillis, int threads, int images) {

  static OpProfile of(long[] nanos, long wallNanos, int threads, int images) {
    Map<OpClass, Double> m = new EnumMap<>(OpClass.class);
    for (OpClass c : OpClass.values()) {
      m.put(c, nanos[c.ordinal()] / 1e6);
    }
    return new OpProfile(Map.copyOf(m), wallNanos / 1e6, threads, images);
  }

  /** Thread-milliseconds of all classes. */
  public double busyMillis() {
    return millis.values().stream().mapToDouble(Double::doubleValue).sum();
  }

  /** Thread-milliseconds not covered by any class: barrier waits and hand-off. */
  public double idleMillis() {
    return Math.max(0, threads * wallMillis - busyMillis());
  }
}
