package dev.vvtq.qat.telemetry;

import dev.vvtq.qat.quant.WeightQuantized;
import dev.vvtq.qat.quant.WeightQuantizer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Per-layer weight-oscillation statistics (VVTQ's analysis): a weight oscillates when its integer
 * value moves in the opposite direction of its previous move. Each weight keeps an exponential
 * moving average of oscillation events, so the statistics describe a recent window of updates.
 */
public final class OscillationTracker {
  /** Frequency above which a weight counts as oscillating (about once per 100 updates). */
  public static final double OSCILLATING_FREQUENCY = 0.01;

  private final double momentum;
  private final Map<String, State> states = new LinkedHashMap<>();

  /** @param momentum EMA momentum; 0.99 averages over roughly the last 100 observations */
  public OscillationTracker(double momentum) {
    if (!(momentum >= 0 && momentum < 1)) {
      throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
    }
    this.momentum = momentum;
  }

  private static final class State {
    int[] previous;
    byte[] lastDirection;
    float[] frequency;
    int flipsLastObservation;
    int changedLastObservation;
    long observations;
  }

  /** Observes the current integer weights of every quantized layer. */
  public void observe(Map<String, WeightQuantized> layers) {
    layers.forEach((name, layer) -> {
      WeightQuantizer q = layer.quantizer();
      if (q != null) {
        observe(name, q.integerWeights(layer.weight().values(), layer.weight().shape().getShape()));
      }
    });
  }

  /** Observes one layer's integer weights. */
  public void observe(String layer, int[] ints) {
    State s = states.computeIfAbsent(layer, k -> new State());
    if (s.previous == null || s.previous.length != ints.length) {
      s.previous = ints.clone();
      s.lastDirection = new byte[ints.length];
      s.frequency = new float[ints.length];
      s.observations = 1;
      return;
    }
    int flips = 0;
    int changed = 0;
    float keep = (float) momentum;
    float add = (float) (1 - momentum);
    for (int i = 0; i < ints.length; i++) {
      int delta = Integer.signum(ints[i] - s.previous[i]);
      boolean flip = false;
      if (delta != 0) {
        changed++;
        flip = s.lastDirection[i] != 0 && delta != s.lastDirection[i];
        s.lastDirection[i] = (byte) delta;
      }
      if (flip) {
        flips++;
      }
      s.frequency[i] = s.frequency[i] * keep + (flip ? add : 0f);
    }
    s.previous = ints.clone();
    s.flipsLastObservation = flips;
    s.changedLastObservation = changed;
    s.observations++;
  }

  /** One layer's statistics. */
  public record LayerOscillation(
      String layer, double oscillatingFraction, double meanFrequency, int flipsLastStep, int changedLastStep, int weights) {}

  /** Statistics per layer, in observation order. */
  public Map<String, LayerOscillation> stats() {
    Map<String, LayerOscillation> out = new LinkedHashMap<>();
    states.forEach((name, s) -> {
      if (s.frequency == null) {
        return;
      }
      int osc = 0;
      double sum = 0;
      for (float f : s.frequency) {
        sum += f;
        if (f > OSCILLATING_FREQUENCY) {
          osc++;
        }
      }
      int n = s.frequency.length;
      out.put(name, new LayerOscillation(name, osc / (double) n, sum / n, s.flipsLastObservation, s.changedLastObservation, n));
    });
    return out;
  }

  /** Fraction of oscillating weights over all layers. */
  public double overallOscillatingFraction() {
    long osc = 0;
    long n = 0;
    for (LayerOscillation l : stats().values()) {
      osc += Math.round(l.oscillatingFraction() * l.weights());
      n += l.weights();
    }
    return n == 0 ? 0 : osc / (double) n;
  }
}
