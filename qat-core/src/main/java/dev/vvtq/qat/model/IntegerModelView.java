package dev.vvtq.qat.model;

import dev.vvtq.qat.nn.Param;
import dev.vvtq.qat.nn.ParamKind;
import dev.vvtq.qat.quant.ActivationQuantizer;
import dev.vvtq.qat.quant.GroupAxis;
import dev.vvtq.qat.quant.QuantConv2d;
import dev.vvtq.qat.quant.QuantLinear;
import dev.vvtq.qat.quant.WeightQuantized;
import dev.vvtq.qat.quant.WeightQuantizer;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The integer view of a quantized model (VVTQ-METHOD section 7): for every weight-quantized layer
 * {@code W_int}, its step(s) and float bias; for every activation quantizer its bits, signedness,
 * step(s) and offset; and the parameters that stay float. This is what export packs.
 */
public final class IntegerModelView {
  /** A weight-quantized layer: {@code Wq = W_int * step} per group. */
  public record Linear(
      String name, int bits, long[] shape, int[] weightInt, float[] weightSteps, GroupAxis axis, float[] bias) {}

  /** An activation quantizer: {@code x_int = round(clamp((x - offset) / step, Qn, Qp))}. */
  public record Activation(String name, int bits, boolean signed, float[] steps, Float offset) {}

  /** A float tensor that stays float (norms, class token, position embedding). */
  public record FloatTensor(String name, long[] shape, float[] values) {}

  /** The quantizers (by name suffix) whose offsets the integer engine's kernels apply. */
  public static final List<String> ENGINE_OFFSET_SITES = List.of("attn.quant_input", "mlp.quant1", "mlp.quant2");

  private final DeitConfig config;
  private final Map<String, Linear> linears;
  private final Map<String, Activation> activations;
  private final Map<String, FloatTensor> floats;

  private IntegerModelView(DeitConfig config, Map<String, Linear> linears,
      Map<String, Activation> activations, Map<String, FloatTensor> floats) {
    this.config = config;
    this.linears = Collections.unmodifiableMap(linears);
    this.activations = Collections.unmodifiableMap(activations);
    this.floats = Collections.unmodifiableMap(floats);
  }

  /**
   * Builds the view. Fails when the model is float, or when some layer is float or an activation
   * step was never initialised (an integer engine could not run it).
   */
  public static IntegerModelView of(QuantDeit model) {
    DeitConfig c = model.config();
    if (!c.quantized()) {
      throw new IllegalArgumentException(
          "model " + c.name() + " is a float model (" + c.bitsLabel() + "): only quantized models have an integer view");
    }
    Map<String, Linear> linears = new LinkedHashMap<>();
    for (Map.Entry<String, WeightQuantized> e : model.weightLayers().entrySet()) {
      WeightQuantized l = e.getValue();
      WeightQuantizer q = l.quantizer();
      if (q == null) {
        throw new IllegalArgumentException(
            "layer " + e.getKey() + " has float weights (wbits " + c.wbits() + "); export needs quantized weights everywhere");
      }
      long[] shape = l.weight().shape().getShape();
      float[] bias = l instanceof QuantLinear ql
          ? (ql.bias() == null ? new float[(int) shape[0]] : ql.bias().values())
          : ((QuantConv2d) l).bias().values();
      linears.put(e.getKey(), new Linear(e.getKey(), q.range().bits(), shape,
          q.integerWeights(l.weight().values(), shape), q.clampedSteps(), q.axis(), bias));
    }
    List<String> unsupported = model.activationQuantizers().entrySet().stream()
        .filter(e -> e.getValue().hasOffset() && ENGINE_OFFSET_SITES.stream().noneMatch(e.getKey()::endsWith))
        .map(Map.Entry::getKey).toList();
    if (!unsupported.isEmpty()) {
      throw new IllegalArgumentException("the integer engine applies learned offsets only at attn.quant_input, "
          + "mlp.quant1 and mlp.quant2, but this model (--use-offset) has them at " + unsupported
          + " too: it has no integer export yet; score it with DJL (vvtq evaluate) or export it for the"
          + " reference (vvtq export-vvtq)");
    }
    Map<String, Activation> acts = new LinkedHashMap<>();
    for (Map.Entry<String, ActivationQuantizer> e : model.activationQuantizers().entrySet()) {
      ActivationQuantizer q = e.getValue();
      if (!q.isInitialized()) {
        throw new IllegalArgumentException(
            "activation quantizer " + e.getKey() + " was never initialised; train or calibrate the model first");
      }
      acts.put(e.getKey(), new Activation(e.getKey(), q.range().bits(), q.range().signed(), q.clampedSteps(),
          q.hasOffset() ? q.beta().values()[0] : null));
    }
    if (model.activationQuantizers().values().stream().noneMatch(q -> q.path().endsWith("quant_q"))) {
      throw new IllegalArgumentException(
          "model has float activations (abits " + c.abits() + "); export needs quantized activations");
    }
    Map<String, FloatTensor> floats = new LinkedHashMap<>();
    for (Map.Entry<String, Param> e : model.namedParameters().entrySet()) {
      ParamKind k = e.getValue().kind();
      if (k == ParamKind.NORM || k == ParamKind.EMBEDDING) {
        floats.put(e.getKey(), new FloatTensor(e.getKey(), e.getValue().shape().getShape(), e.getValue().values()));
      }
    }
    return new IntegerModelView(c, linears, acts, floats);
  }

  /** The model config. */
  public DeitConfig config() {
    return config;
  }

  /** Weight-quantized layers by name. */
  public Map<String, Linear> linears() {
    return linears;
  }

  /** Activation quantizers by name. */
  public Map<String, Activation> activations() {
    return activations;
  }

  /** Float tensors by name. */
  public Map<String, FloatTensor> floats() {
    return floats;
  }
}
