package dev.vvtq.qat.data;

/** Receives progress of long work: {@code done} of {@code total} units of a named phase. */
@FunctionalInterface
public interface ProgressListener {
  /** Ignores all progress. */
  ProgressListener NONE = (phase, done, total) -> {};

  /** Called from any thread, possibly often; implementations throttle their own output. */
  void progress(String phase, long done, long total);
}
