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
    String[] names = System.getProperty("probe.models", "deit_nano_patch4_32,deit_micro_patch4_32").split(",");
    int batch = Integer.getInteger("probe.batch", 128);
    for (String name : names) {
      for (int bits : new int[] {-1, 4}) {
        try (NDManager root = NDManager.newBaseManager()) {
          DeitConfig c = DeitModels.get(name, bits, bits);
          QuantDeit m = QuantDeit.create(c, root, 1);
          long params = m.namedParameters().values().stream().mapToLong(p -> p.shape().size()).sum();
          double best = 1e9;
          for (int it = 0; it < 6; it++) {
            try (NDManager step = root.newSubManager()) {
              m.attachParametersTo(step);
              NDArray x = step.randomNormal(new Shape(batch, 3, c.imgSize(), c.imgSize()));
              long t0 = System.nanoTime();
              try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = m.forward(x, ForwardContext.training(step, it, bits > 0));
                gc.backward(y.logSoftmax(-1).mean().neg());
              }
              double ms = (System.nanoTime() - t0) / 1e6;
              if (it > 0) best = Math.min(best, ms);
            }
          }
          System.out.printf("%s %s params=%d batch=%d fwd+bwd best %.1f ms (%.0f img/s)%n", name, c.bitsLabel(), params, batch, best, batch * 1000 / best);
        }
      }
    }
  }
}
