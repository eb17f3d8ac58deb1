package dev.vvtq.qat.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.vvtq.qat.model.DeitConfig;
import dev.vvtq.qat.model.QuantDeit;
import dev.vvtq.qat.model.QuantizerInit;
import dev.vvtq.qat.model.TestConfigs;
import dev.vvtq.qat.nn.TorchArrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Gradients really flow through the quantizers: a W4A4 model memorises one batch. */
class OverfitTest {

  @Test
  void w4a4SmallModelOverfitsOneBatchWithin300Steps() {
    DeitConfig c = new DeitConfig("overfit", 16, 4, 3, 10, 48, 2, 3, 4.0, 4, 4, false, false, 0.0, 1.0);
    int batch = 16;
    SplittableRandom r = new SplittableRandom(11);
    float[] pixels = new float[batch * 3 * 16 * 16];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (float) (r.nextDouble() * 4 - 2);
    }
    int[] labels = new int[batch];
    float[] targets = new float[batch * 10];
    for (int b = 0; b < batch; b++) {
      labels[b] = r.nextInt(10);
      targets[b * 10 + labels[b]] = 1f;
    }
    try (NDManager m = NDManager.newBaseManager(); QuantDeit model = QuantDeit.create(c, m, 5)) {
      NDArray x = TorchArrays.create(m, pixels, new Shape(batch, 3, 16, 16));
      QuantizerInit.initWeightSteps(model);
      QuantizerInit.initActivationSteps(model, x);
      try (AdamW opt = AdamW.withDefaults(model.namedParameters(), m, 1e-4)) {
        int reachedAt = -1;
        TrainingStep.Result last = null;
        for (int step = 0; step < 300; step++) {
          try (NDManager s = m.newSubManager()) {
            NDArray xs = TorchArrays.create(s, pixels, new Shape(batch, 3, 16, 16));
            NDArray ts = TorchArrays.create(s, targets, new Shape(batch, 10));
            last = TrainingStep.run(model, opt, s, xs, ts, labels, 2e-3, 0, step, false);
          }
          if (last.correctTop1() == batch) {
            reachedAt = step;
            break;
          }
        }
        assertTrue(reachedAt >= 0, "did not reach 100% within 300 steps; last " + last);
        assertEquals(batch, last.correctTop1());
        System.out.println("W4A4 overfit: 100% train accuracy at step " + reachedAt + ", loss " + last.loss());
      }
    }
  }
}
