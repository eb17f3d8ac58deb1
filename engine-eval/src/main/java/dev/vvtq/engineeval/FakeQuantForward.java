package dev.vvtq.engineeval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.vvtq.qat.model.DeitConfig;
import dev.vvtq.qat.model.QuantDeit;
import dev.vvtq.qat.nn.ForwardContext;
import dev.vvtq.qat.nn.NoGrad;
import java.util.Arrays;

/**
 * The DJL side of an engine comparison: a {@link QuantDeit} (fake-quantized or float) run in evaluation
 * mode without autograd on images held in a float array, as training-time validation runs it.
 */
public final class FakeQuantForward {
  private FakeQuantForward() {}

  /**
   * Logits {@code [count, classes]} of {@code count} normalised images ({@code C x H x W} floats each,
   * one after another from index 0). Every activation quantizer must already be initialised (a
   * quantizer that is not would initialise itself from these images).
   */
  public static float[] logits(QuantDeit model, float[] images, int count) {
    DeitConfig c = model.config();
    int per = c.inChans() * c.imgSize() * c.imgSize();
    if (count < 1 || (long) count * per > images.length) {
      throw new IllegalArgumentException(count + " images of " + per + " floats do not fit " + images.length);
    }
    model.activationQuantizers().forEach((name, q) -> {
      if (!q.isInitialized()) {
        throw new IllegalStateException("activation quantizer " + name + " is not initialised: calibrate the model first");
      }
    });
    float[] batch = images.length == (long) count * per ? images : Arrays.copyOf(images, count * per);
    try (NoGrad ignored = NoGrad.enter(); NDManager step = model.manager().newSubManager()) {
      model.attachParametersTo(step);
      NDArray x = step.create(batch, new Shape(count, c.inChans(), c.imgSize(), c.imgSize()));
      return model.forward(x, ForwardContext.eval(step)).toFloatArray();
    }
  }
}
