package dev.vvtq.qat.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.vvtq.qat.nn.ForwardContext;
import dev.vvtq.qat.quant.GroupAxis;
import dev.vvtq.qat.quant.StepSizeInit;
import dev.vvtq.qat.quant.WeightQuantized;
import dev.vvtq.qat.quant.WeightQuantizer;

/**
 * Step-size initialisation before training (VVTQ-METHOD section 1): weight steps by the MSE fixed
 * point, activation steps by one evaluation-mode forward over a batch of training images.
 */
public final class QuantizerInit {
  private QuantizerInit() {}

  /** Sets every weight quantizer's step(s) to the MSE fixed point of its current weights. */
  public static void initWeightSteps(QuantDeit model) {
    for (WeightQuantized layer : model.weightLayers().values()) {
      WeightQuantizer q = layer.quantizer();
      if (q == null) {
        continue;
      }
      float[] w = layer.weight().values();
      long[] shape = layer.weight().shape().getShape();
      q.alpha().assign(groupSteps(w, shape, q, layer.path()));
    }
  }

  static float[] groupSteps(float[] w, long[] shape, WeightQuantizer q, String name) {
    int groups = q.groups();
    float[] steps = new float[groups];
    if (groups == 1) {
      steps[0] = (float) StepSizeInit.mseStep(w, 0, w.length, q.range(), name);
      return steps;
    }
    int out = (int) shape[0];
    int in = w.length / out;
    for (int g = 0; g < groups; g++) {
      float[] part;
      if (q.axis() == GroupAxis.OUT) {
        int rows = out / groups;
        part = java.util.Arrays.copyOfRange(w, g * rows * in, (g + 1) * rows * in);
      } else {
        int cols = in / groups;
        part = new float[out * cols];
        for (int o = 0; o < out; o++) {
          System.arraycopy(w, o * in + g * cols, part, o * cols, cols);
        }
      }
      steps[g] = (float) StepSizeInit.mseStep(part, 0, part.length, q.range(), name + " group " + g);
    }
    return steps;
  }

  /**
   * Resets every activation quantizer and runs one evaluation forward over {@code images} so each
   * initialises lazily from the first activations it sees.
   */
  public static void initActivationSteps(QuantDeit model, NDArray images) {
    model.activationQuantizers().values().forEach(q -> q.markInitialized(false));
    try (NDManager step = model.manager().newSubManager()) {
      model.attachParametersTo(step);
      NDArray x = images.duplicate();
      x.attach(step);
      model.forward(x, ForwardContext.eval(step));
    }
  }
}
