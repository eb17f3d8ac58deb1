package dev.vvtq.qat.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class OscillationTrackerTest {
  @Test
  void countsDirectionReversalsOnly() {
    OscillationTracker t = new OscillationTracker(0.5);
    t.observe("l", new int[] {0, 0, 0});
    t.observe("l", new int[] {1, 1, 0}); // first moves: no oscillation yet
    t.observe("l", new int[] {0, 2, 0}); // weight 0 reverses, weight 1 continues
    OscillationTracker.LayerOscillation s = t.stats().get("l");
    assertEquals(1, s.flipsLastStep());
    assertEquals(2, s.changedLastStep());
    // frequencies: w0 = 0.5 after one flip with momentum 0.5, others 0
    assertEquals(0.5 / 3, s.meanFrequency(), 1e-9);
    assertEquals(1.0 / 3, s.oscillatingFraction(), 1e-9);
    t.observe("l", new int[] {0, 2, 0}); // no change: frequency decays
    assertEquals(0.25 / 3, t.stats().get("l").meanFrequency(), 1e-9);
    t.observe("l", new int[] {1, 2, 0}); // w0 reverses again (last move was down)
    assertEquals(1, t.stats().get("l").flipsLastStep());
  }

  @Test
  void kurtosisOfKnownSamples() {
    // symmetric two-point distribution: kurtosis 1
    assertEquals(1.0, WeightKurtosis.of(new float[] {-1, 1, -1, 1}), 1e-12);
    // {-2, 0, 0, 0, 0, 0, 0, 2}: m2 = 1, m4 = 4 -> 4
    assertEquals(4.0, WeightKurtosis.of(new float[] {-2, 0, 0, 0, 0, 0, 0, 2}), 1e-12);
  }
}
