package dev.vvtq.qat.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RegularizerTimingTest {
  @Test
  void theReferencesTimingKeepsThePassesFirstLambdaForTheWholePass() {
    RegularizerSchedule s = new RegularizerSchedule(12);
    // A 4-crop pass over epochs 4..7: the reference reads lambda at epoch 4 for every step of it.
    for (int e = 4; e < 8; e++) {
      assertEquals(s.lambda(4), s.lambda(RegularizerTiming.PER_PASS.epoch(4, e)), 0.0, "epoch " + e);
    }
    assertTrue(s.lambda(RegularizerTiming.PER_EPOCH.epoch(4, 7)) > s.lambda(RegularizerTiming.PER_PASS.epoch(4, 7)),
        "per-epoch advances inside the pass");
    assertEquals(RegularizerTiming.PER_PASS, RegularizerTiming.DEFAULT);
  }
}
