package dev.vvtq.qat.reference;

import dev.vvtq.qat.torch.TorchTensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The model tensors of a reference checkpoint: {@code train_VVTQ.py} saves {@code {'epoch', 'arch',
 * 'state_dict', 'best_acc1', 'optimizer'}}, DeiT/timm releases {@code {'model': ...}}, and a bare
 * state_dict is accepted too. Keys lose DDP's / DataParallel's {@code module.} prefix; everything
 * beside the state_dict (optimizer state, epoch, ...) is ignored and listed.
 *
 * @param tensors the state_dict without the prefix, in file order
 * @param wrapper the top-level key it was found under ({@code state_dict}, {@code model}), or "" for a bare one
 * @param prefix the prefix that was stripped ("" or {@code module.})
 * @param ignored the top-level keys that were not read
 */
public record ReferenceStateDict(Map<String, TorchTensor> tensors, String wrapper, String prefix, List<String> ignored) {
  /** The DDP / DataParallel key prefix. */
  public static final String DDP_PREFIX = "module.";

  /** Finds the state_dict in what {@code TorchCheckpointReader} read from {@code source}. */
  public static ReferenceStateDict of(Object root, String source) {
    if (!(root instanceof Map<?, ?> top)) {
      throw new IllegalArgumentException(source + " holds a " + (root == null ? "None" : root.getClass().getSimpleName())
          + ", not a checkpoint dictionary");
    }
    String wrapper = "";
    Map<?, ?> state = top;
    for (String k : new String[] {"state_dict", "model"}) {
      if (top.get(k) instanceof Map<?, ?> m) {
        wrapper = k;
        state = m;
        break;
      }
    }
    List<String> ignored = new ArrayList<>();
    if (!wrapper.isEmpty()) {
      for (Object k : top.keySet()) {
        if (!wrapper.equals(k)) {
          ignored.add(String.valueOf(k));
        }
      }
    }
    boolean ddp = !state.isEmpty() && state.keySet().stream().allMatch(k -> String.valueOf(k).startsWith(DDP_PREFIX));
    String prefix = ddp ? DDP_PREFIX : "";
    Map<String, TorchTensor> tensors = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : state.entrySet()) {
      String key = String.valueOf(e.getKey()).substring(prefix.length());
      if (!(e.getValue() instanceof TorchTensor t)) {
        throw new IllegalArgumentException(source + ": state_dict entry '" + e.getKey() + "' is not a tensor"
            + (wrapper.isEmpty() ? " (no 'state_dict' or 'model' entry found; is this a checkpoint?)" : ""));
      }
      tensors.put(key, t);
    }
    if (tensors.isEmpty()) {
      throw new IllegalArgumentException(source + " holds no state_dict tensors (top-level keys " + top.keySet() + ")");
    }
    return new ReferenceStateDict(tensors, wrapper, prefix, ignored);
  }
}
