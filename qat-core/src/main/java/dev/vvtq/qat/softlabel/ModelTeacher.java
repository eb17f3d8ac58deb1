package dev.vvtq.qat.softlabel;

import ai.djl.ndarray.NDArray;
import dev.vvtq.qat.model.QuantDeit;
import dev.vvtq.qat.nn.ForwardContext;
import dev.vvtq.qat.nn.NoGrad;

/** A qat-core model (float or fake-quantized) used as the soft-label teacher, in evaluation mode. */
public final class ModelTeacher implements Teacher {
  private final QuantDeit model;

  public ModelTeacher(QuantDeit model) {
    this.model = model;
  }

  @Override
  public NDArray logits(NDArray images) {
    try (NoGrad ignored = NoGrad.enter()) {
      // Everything computed from the parameters lands on the batch's manager and is freed with it.
      model.attachParametersTo(images.getManager());
      return model.forward(images, ForwardContext.eval(images.getManager()));
    }
  }
}
