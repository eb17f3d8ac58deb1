package dev.vvtq.qat.reference;

import dev.vvtq.qat.model.QuantDeit;
import dev.vvtq.qat.torch.PyOrderedDict;
import dev.vvtq.qat.torch.TorchCheckpointWriter;
import dev.vvtq.qat.torch.TorchTensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One of our quantized models as a checkpoint the reference's {@code train_VVTQ.py --resume} loads:
 * {@code {'epoch', 'arch', 'state_dict', 'best_acc1', 'optimizer'}} as its {@code save_checkpoint}
 * writes them, the state_dict with the {@code module.} prefix of its DDP and DataParallel models
 * (both of its documented commands wrap the model; without the prefix, for {@code --gpu N}, the
 * model is unwrapped), and an AdamW state_dict with no moments whose two parameter groups match what
 * timm's {@code create_optimizer} builds for that model, which {@code optimizer.load_state_dict} checks.
 */
public final class ReferenceExport {
  /** What goes into the file besides the model. */
  public record Options(String prefix, int epoch, double bestTop1, double lr, double weightDecay) {
    /** The reference's defaults: DDP prefix, lr 5e-4, weight decay 1e-4. */
    public static Options defaults() {
      return new Options(ReferenceStateDict.DDP_PREFIX, 0, 0, 5e-4, 1e-4);
    }
  }

  /** What the reference model's {@code no_weight_decay()} names. */
  private static final java.util.Set<String> NO_WEIGHT_DECAY = java.util.Set.of("pos_embed", "cls_token");

  private ReferenceExport() {}

  /**
   * Writes {@code model} to {@code file}.
   *
   * @param vectors the full step/offset vectors kept at import (entry {@code bits - 2} is replaced
   *     by the model's value), or null: then every entry of a vector is the model's value (the
   *     reference reads only {@code alpha[nbits-2]})
   */
  public static void write(QuantDeit model, Map<String, float[]> vectors, Options options, Path file) throws IOException {
    String name = file.getFileName().toString();
    String archive = name.contains(".") ? name.substring(0, name.indexOf('.')) : name;
    TorchCheckpointWriter.write(file, archive.isEmpty() ? "archive" : archive, checkpoint(model, vectors, options));
  }

  /** The checkpoint dictionary {@link #write} pickles. */
  public static Map<String, Object> checkpoint(QuantDeit model, Map<String, float[]> vectors, Options options) {
    List<ReferenceLayout.Entry> layout = ReferenceLayout.of(model).entries();
    PyOrderedDict state = new PyOrderedDict();
    List<Object> noDecay = new ArrayList<>();
    List<Object> decay = new ArrayList<>();
    for (ReferenceLayout.Entry e : layout) {
      String key = options.prefix() + e.key();
      TorchTensor t = switch (e.role()) {
        case FLOAT -> TorchTensor.ofFloats(e.shape(), e.param().values());
        case STEP, OFFSET -> TorchTensor.ofFloats(e.shape(), vector(e, vectors));
        case NBITS -> TorchTensor.ofFloats(e.shape(), new float[] {e.bits()});
        case INIT_STATE -> TorchTensor.ofFloats(e.shape(), new float[] {1f});
      };
      state.put(key, t);
      if (e.role().optimized()) {
        // timm's add_weight_decay: 1-d tensors and biases, and the model's no_weight_decay() names,
        // which only an unwrapped model offers (DDP/DataParallel hide them).
        boolean skip = options.prefix().isEmpty() && NO_WEIGHT_DECAY.contains(e.key());
        (e.shape().length == 1 || key.endsWith(".bias") || skip ? noDecay : decay).add(key);
      }
    }
    // Optimizer.state_dict numbers the parameters group after group.
    List<Object> noDecayIds = new ArrayList<>();
    List<Object> decayIds = new ArrayList<>();
    for (int i = 0; i < noDecay.size() + decay.size(); i++) {
      (i < noDecay.size() ? noDecayIds : decayIds).add(i);
    }
    Map<String, Object> optimizer = new LinkedHashMap<>();
    optimizer.put("state", new LinkedHashMap<>());
    optimizer.put("param_groups", List.of(group(options, 0.0, noDecayIds), group(options, options.weightDecay(), decayIds)));
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("epoch", options.epoch());
    root.put("arch", model.config().name() + "_quant");
    root.put("state_dict", state);
    root.put("best_acc1", TorchTensor.ofFloats(new long[0], new float[] {(float) options.bestTop1()}));
    root.put("optimizer", optimizer);
    return root;
  }

  private static float[] vector(ReferenceLayout.Entry e, Map<String, float[]> vectors) {
    float ours = e.param().values()[0];
    float[] kept = vectors == null ? null : vectors.get(e.key());
    float[] v;
    if (kept != null && kept.length == ReferenceLayout.WIDTHS) {
      v = kept.clone();
    } else {
      v = new float[ReferenceLayout.WIDTHS];
      Arrays.fill(v, ours);
    }
    v[e.bits() - 2] = ours;
    return v;
  }

  private static Map<String, Object> group(Options o, double weightDecay, List<Object> params) {
    Map<String, Object> g = new LinkedHashMap<>();
    g.put("lr", o.lr());
    g.put("betas", new Object[] {0.9, 0.999});
    g.put("eps", 1e-8);
    g.put("weight_decay", weightDecay);
    g.put("amsgrad", false);
    g.put("initial_lr", o.lr());
    g.put("params", params);
    return g;
  }
}
