package dev.vvtq.engine;

/**
 * What {@link IntDeit#warmUp} did: passes run, the first and the settled time per pass, and the bytes
 * the engine's threads allocated during one settled pass (0 once the JIT has compiled the kernels).
 */
public record WarmUpReport(int passes, double firstMillis, double settledMillis, long allocatedBytesPerPass,
    double seconds) {
  /** Whether the passes settled (stopped getting faster) within the time allowed. */
  public boolean settled() {
    return settledMillis * 3 < firstMillis || passes > 0 && allocatedBytesPerPass == 0;
  }
}
