package dev.vvtq.evaluator.scoring;

import dev.vvtq.proto.v1.EvalEngine;

/** What evaluations report to monitoring. */
public interface EvalMetrics {
  /** An evaluation ended; {@code outcome} is "succeeded" or "failed". */
  void finished(EvalEngine engine, String outcome, long images, double seconds);

  EvalMetrics NONE = (engine, outcome, images, seconds) -> {};
}
