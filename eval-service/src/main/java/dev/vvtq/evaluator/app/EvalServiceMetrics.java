package dev.vvtq.evaluator.app;

import dev.vvtq.evaluator.scoring.EvalMetrics;
import dev.vvtq.evaluator.scoring.EvaluationSlots;
import dev.vvtq.proto.v1.EvalEngine;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Locale;

/**
 * The evaluator's meters: {@code vvtq_eval_evaluations_total{engine,outcome}}, {@code
 * vvtq_eval_images_total{engine}}, {@code vvtq_eval_images_per_second{engine}} (histogram, one
 * sample per evaluation), {@code vvtq_eval_duration_seconds{engine}} and {@code vvtq_eval_waiting}.
 */
@Singleton
public class EvalServiceMetrics implements EvalMetrics {
  private final MeterRegistry registry;
  // Held here: gauges keep only a weak reference to the object they read.
  private final EvaluationSlots slots;

  public EvalServiceMetrics(MeterRegistry registry, EvaluationSlots slots) {
    this.registry = registry;
    this.slots = slots;
    Gauge.builder("vvtq.eval.waiting", slots, EvaluationSlots::waiting)
        .description("Evaluations waiting for a slot").register(registry);
  }

  @Override
  public void finished(EvalEngine engine, String outcome, long images, double seconds) {
    String e = engine.name().replace("EVAL_ENGINE_", "").toLowerCase(Locale.ROOT);
    Counter.builder("vvtq.eval.evaluations").tag("engine", e).tag("outcome", outcome).register(registry).increment();
    if (images > 0 && seconds > 0) {
      Counter.builder("vvtq.eval.images").tag("engine", e).register(registry).increment(images);
      DistributionSummary.builder("vvtq.eval.images.per.second").description("Throughput of each evaluation")
          .tag("engine", e).publishPercentileHistogram().minimumExpectedValue(1.0).maximumExpectedValue(100_000.0)
          .register(registry).record(images / seconds);
      Timer.builder("vvtq.eval.duration").tag("engine", e).register(registry).record(Duration.ofNanos((long) (seconds * 1e9)));
    }
  }
}
