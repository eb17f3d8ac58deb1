package dev.vvtq.qat.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.vvtq.qat.train.EpochPlan.Segment;
import java.util.List;
import org.junit.jupiter.api.Test;

class EpochPlanTest {
  @Test
  void multiCropPassesThenSingleCropTail() {
    // The reference with epochs 10, warm-up 0, 4 crops: passes at 0 and 4, then 8 and 9 single.
    assertEquals(List.of(new Segment(0, 4, true), new Segment(4, 4, true), new Segment(8, 1, false), new Segment(9, 1, false)),
        EpochPlan.of(10, 0, 4, true));
  }

  @Test
  void warmupRunsSingleCropFirst() {
    assertEquals(List.of(new Segment(0, 1, false), new Segment(1, 4, true), new Segment(5, 1, false),
            new Segment(6, 1, false), new Segment(7, 1, false), new Segment(8, 1, false)),
        EpochPlan.of(9, 1, 4, true));
  }

  @Test
  void shortRunIsAllSingleCropAndHardLabelsNeverMultiCrop() {
    assertEquals(List.of(new Segment(0, 1, false), new Segment(1, 1, false), new Segment(2, 1, false)), EpochPlan.of(3, 0, 4, true));
    assertEquals(5, EpochPlan.of(5, 0, 4, false).size());
    assertEquals(5, EpochPlan.of(5, 0, 4, false).stream().mapToInt(Segment::epochs).sum());
  }

  @Test
  void everyEpochIsCoveredExactlyOnce() {
    for (int epochs = 1; epochs < 30; epochs++) {
      for (int crops = 1; crops <= 5; crops++) {
        int next = 0;
        for (Segment s : EpochPlan.of(epochs, Math.min(2, epochs - 1), crops, true)) {
          assertEquals(next, s.firstEpoch());
          next = s.endEpoch();
        }
        assertEquals(epochs, next);
      }
    }
  }

  @Test
  void badArgumentsAreNamed() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EpochPlan.of(3, 3, 4, true));
    assertEquals(true, e.getMessage().contains("--warmup-epochs"));
  }
}
