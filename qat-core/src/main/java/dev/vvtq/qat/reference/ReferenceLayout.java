package dev.vvtq.qat.reference;

import dev.vvtq.qat.model.QuantDeit;
import dev.vvtq.qat.nn.Param;
import dev.vvtq.qat.quant.ActivationQuantizer;
import dev.vvtq.qat.quant.WeightQuantized;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * The state_dict of the reference's quantized DeiT ({@code QuantVisionTransformer} of
 * HuangOwen/VVTQ's {@code DeiT_quant.py}) that corresponds to one of our models, key by key in the
 * reference's own order: the float parameters under the same names; per quantizer (weight or
 * activation) {@code nbits} (its bit width, a float), {@code alpha} with one step per bit width 2..8
 * (the reference uses {@code alpha[nbits-2]}), {@code beta} likewise when it has an offset, and the
 * {@code init_state} buffer (1 once initialised).
 */
public final class ReferenceLayout {
  /** Steps and offsets per quantizer in the reference: one per bit width 2, 3, ..., 8. */
  public static final int WIDTHS = 7;

  /** What a reference key holds. */
  public enum Role {
    /** A float parameter, the same tensor as ours. */
    FLOAT,
    /** A quantizer's step vector; ours is entry {@code bits - 2}. */
    STEP,
    /** An activation quantizer's offset vector; ours is entry {@code bits - 2}. */
    OFFSET,
    /** The bit width as a one-element float tensor (a parameter without gradient). */
    NBITS,
    /** The one-element buffer that is 1 once the quantizer is initialised. */
    INIT_STATE;

    /** Whether the reference's optimizer holds it (every parameter with a gradient). */
    public boolean optimized() {
      return this == FLOAT || this == STEP || this == OFFSET;
    }
  }

  /**
   * One key of the reference's state_dict (without a DDP {@code module.} prefix).
   *
   * @param param our parameter (for FLOAT, STEP, OFFSET), else null
   * @param bits the quantizer's bit width (0 for FLOAT)
   * @param shape the tensor's shape in the reference
   */
  public record Entry(String key, Role role, Param param, int bits, long[] shape) {}

  private final List<Entry> entries;

  private ReferenceLayout(List<Entry> entries) {
    this.entries = Collections.unmodifiableList(entries);
  }

  /** The layout of {@code model}, which must not be head-wise (the reference's head-wise quantizers are not mapped). */
  public static ReferenceLayout of(QuantDeit model) {
    if (model.config().headWise()) {
      throw new IllegalArgumentException("head-wise models (--head-wise) have no reference checkpoint mapping");
    }
    if (!model.config().quantized()) {
      throw new IllegalArgumentException("model " + model.config().name() + " is a float model: the reference's float"
          + " DeiT is timm's, use import-timm / export-timm");
    }
    Map<String, WeightQuantized> weights = model.weightLayers();
    Map<String, ActivationQuantizer> acts = model.activationQuantizers();
    Map<String, Param> params = model.namedParameters();
    List<Entry> out = new ArrayList<>();
    long[] one = {1};
    long[] widths = {WIDTHS};
    for (Map.Entry<String, Param> e : params.entrySet()) {
      String name = e.getKey();
      if (name.endsWith(".beta")) {
        continue; // emitted with its quantizer's alpha, where the reference declares it
      }
      if (!name.endsWith(".alpha")) {
        out.add(new Entry(name, Role.FLOAT, e.getValue(), 0, e.getValue().shape().getShape()));
        continue;
      }
      String owner = name.substring(0, name.length() - ".alpha".length());
      ActivationQuantizer act = acts.get(owner);
      int bits = act != null ? act.range().bits() : weights.get(owner).quantizer().range().bits();
      out.add(new Entry(owner + ".nbits", Role.NBITS, null, bits, one));
      out.add(new Entry(name, Role.STEP, e.getValue(), bits, widths));
      if (act != null && act.hasOffset()) {
        out.add(new Entry(owner + ".beta", Role.OFFSET, act.beta(), bits, widths));
      }
      out.add(new Entry(owner + ".init_state", Role.INIT_STATE, null, bits, one));
    }
    return new ReferenceLayout(out);
  }

  /** Every key, in the reference's state_dict order. */
  public List<Entry> entries() {
    return entries;
  }
}
