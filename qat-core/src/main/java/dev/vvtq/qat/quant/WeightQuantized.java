package dev.vvtq.qat.quant;

import dev.vvtq.qat.nn.Param;

/** A layer with a fake-quantized weight: what step initialisation, export and telemetry need. */
public interface WeightQuantized {
  /** The float (latent) weight, [out, in] or [out, c, kh, kw]. */
  Param weight();

  /** The quantizer, or null when the layer runs in float. */
  WeightQuantizer quantizer();

  /** The layer's dotted name. */
  String path();
}
