package dev.vvtq.qat.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.vvtq.qat.nn.ForwardContext;
import org.junit.jupiter.api.Test;

class StepTimingProbe {
  @Test
  void probe() {
    String[] names = System.getProperty("probe.models", "deit_nano_patch4_32").split(",");
    int batch = Integer.getInteger("probe.batch", 128);
    for (String name : names) {
      for (int bits : new int[] {-1, 4, -1, 4}) {
        try (NDManager root = NDManager.newBaseManager()) {
          DeitConfig c = DeitModels.get(name, bits, bits);
          QuantDeit m = QuantDeit.create(c, root, 1);
          QuantizerInit.initWeightSteps(m);
          double bestF = 1e9, best = 1e9;
          for (int it = 0; it < 8; it++) {
            try (NDManager step = root.newSubManager()) {
              m.attachParametersTo(step);
              NDArray x = step.randomNormal(new Shape(batch, 3, c.imgSize(), c.imgSize()));
              long t0 = System.nanoTime();
              try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = m.forward(x, ForwardContext.training(step, it, false));
                NDArray l = y.logSoftmax(-1).mean().neg();
                l.getFloat();
                long t1 = System.nanoTime();
                gc.backward(l);
                if (it > 1) bestF = Math.min(bestF, (t1 - t0) / 1e6);
              }
              double ms = (System.nanoTime() - t0) / 1e6;
              if (it > 1) best = Math.min(best, ms);
            }
          }
          System.out.printf("%s %s batch=%d fwd %.1f ms, fwd+bwd %.1f ms (%.0f img/s)%n", name, c.bitsLabel(), batch, bestF, best, batch * 1000 / best);
        }
      }
    }
  }
}
