package dev.vvtq.qat.train;

import dev.vvtq.qat.model.QuantDeit;
import dev.vvtq.qat.quant.WeightQuantized;
import dev.vvtq.qat.telemetry.OscillationTracker;
import dev.vvtq.qat.telemetry.WeightKurtosis;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The run's quantization telemetry: activation ranges and per-layer kurtosis every
 * {@link #INTERVAL} steps, and the oscillation tracker, refreshed on the schedule that keeps its cost
 * small. The weights are identical on every rank, so only the logging rank needs to measure.
 */
final class StepTelemetry {
  /** Activation ranges and per-layer kurtosis are refreshed this often (steps). */
  static final int INTERVAL = 25;

  private final QuantDeit model;
  private final boolean active;
  private final OscillationTracker oscillation = new OscillationTracker(0.99);
  private final int oscillationInterval;
  private Map<String, float[]> ranges = Map.of();
  private Map<String, Double> kurtosis = Map.of();

  StepTelemetry(QuantDeit model, boolean measures) {
    this.model = model;
    this.active = measures && model.config().quantized();
    long weights = model.weightLayers().values().stream().mapToLong(w -> w.weight().shape().size()).sum();
    // Reading every weight back to Java costs ~1 ms per 200k weights: keep it under ~5% of a step.
    this.oscillationInterval = weights <= 2_000_000 ? 1 : 10;
  }

  /** Whether step {@code step} records activation ranges during its forward. */
  boolean recordsRangesAt(long step) {
    return active && step % INTERVAL == 0;
  }

  /** After step {@code step}: keeps what it recorded and observes the weights when due. */
  void afterStep(long step, TrainingStep.Result r) {
    if (recordsRangesAt(step)) {
      ranges = r.activationRanges();
      kurtosis = kurtosisByLayer();
    }
    if (active && step % oscillationInterval == 0) {
      oscillation.observe(model.weightLayers());
    }
  }

  double oscillatingFraction() {
    return oscillation.overallOscillatingFraction();
  }

  OscillationTracker tracker() {
    return oscillation;
  }

  Map<String, float[]> ranges() {
    return ranges;
  }

  Map<String, Double> kurtosis() {
    return kurtosis;
  }

  private Map<String, Double> kurtosisByLayer() {
    Map<String, Double> out = new LinkedHashMap<>();
    for (Map.Entry<String, WeightQuantized> e : model.weightLayers().entrySet()) {
      out.put(e.getKey(), WeightKurtosis.of(e.getValue().weight().values()));
    }
    return out;
  }
}
