package dev.vvtq.qat.model;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The named architectures (timm's names, plus small-input variants for CPU work), each a factory
 * from bit widths to a config. Quantizer options and class count are set on the returned config.
 */
public final class DeitModels {
  private static final Map<String, Function<int[], DeitConfig>> MODELS = new LinkedHashMap<>();

  static {
    register("deit_tiny_patch16_224", 224, 16, 1000, 192, 12, 3, 0.875);
    register("deit_small_patch16_224", 224, 16, 1000, 384, 12, 6, 0.875);
    register("deit_base_patch16_224", 224, 16, 1000, 768, 12, 12, 0.875);
    // Small-input variants for CPU work (Fashion-MNIST): evaluated on the whole image.
    register("deit_nano_patch4_32", 32, 4, 10, 96, 4, 3, 1.0);
    register("deit_micro_patch4_32", 32, 4, 10, 128, 6, 4, 1.0);
    register("deit_pico_patch4_16", 16, 4, 10, 32, 2, 2, 1.0);
  }

  private DeitModels() {}

  private static void register(
      String name, int img, int patch, int classes, int dim, int depth, int heads, double cropPct) {
    MODELS.put(
        name,
        bits -> new DeitConfig(name, img, patch, 3, classes, dim, depth, heads, 4.0, bits[0], bits[1],
            false, false, 0.1, cropPct));
  }

  /** The config of a named model at the given bit widths (drop-path 0.1, no head-wise, no offset). */
  public static DeitConfig get(String name, int wbits, int abits) {
    Function<int[], DeitConfig> f = MODELS.get(name);
    if (f == null) {
      throw new IllegalArgumentException(
          "unknown model '" + name + "'; known models: " + String.join(", ", MODELS.keySet()));
    }
    return f.apply(new int[] {wbits, abits});
  }

  /** Every known model name, in registration order. */
  public static Iterable<String> names() {
    return MODELS.keySet();
  }
}
