package dev.vvtq.engine.model;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every quantizer, weight-quantized layer and float parameter an exported model of a given config must
 * hold, in forward order, with their specs and shapes: the single place that turns the format's prose
 * (docs/EXPORT-FORMAT.md) into names.
 */
public final class ModelLayout {
  /** Names of the per-block activation quantizers, after {@code blocks.i.}. */
  public static final String QUANT_INPUT = "attn.quant_input";
  public static final String QUANT_Q = "attn.quant_q";
  public static final String QUANT_K = "attn.quant_k";
  public static final String QUANT_V = "attn.quant_v";
  public static final String QUANT_ATTN = "attn.quant_attn";
  public static final String QUANT_OUTPUT = "attn.quant_output";
  public static final String QUANT1 = "mlp.quant1";
  public static final String QUANT2 = "mlp.quant2";
  /** Names of the per-block linear layers, after {@code blocks.i.}. */
  public static final String PROJ_Q = "attn.proj_q";
  public static final String PROJ_K = "attn.proj_k";
  public static final String PROJ_V = "attn.proj_v";
  public static final String PROJ = "attn.proj";
  public static final String FC1 = "mlp.fc1";
  public static final String FC2 = "mlp.fc2";
  public static final String PATCH_EMBED = "patch_embed.proj";
  public static final String PATCH_QUANT = "patch_embed.quant";
  public static final String HEAD = "head";
  public static final String HEAD_QUANT = "quant";

  private final ModelConfig config;
  private final Map<String, QuantizerSpec> quantizers = new LinkedHashMap<>();
  private final Map<String, LinearSpec> linears = new LinkedHashMap<>();
  private final Map<String, long[]> floatParams = new LinkedHashMap<>();

  public ModelLayout(ModelConfig c) {
    this.config = c;
    int d = c.embedDim();
    int g = c.headGroups();
    quantizers.put(PATCH_QUANT, new QuantizerSpec(8, true, false, 1));
    linears.put(PATCH_EMBED, new LinearSpec(8, c.patchDim(), d, 1, "out"));
    floatParams.put("cls_token", new long[] {1, 1, d});
    floatParams.put("pos_embed", new long[] {1, c.tokens(), d});
    for (int i = 0; i < c.depth(); i++) {
      String b = block(i);
      floatParams.put(b + "norm1.weight", new long[] {d});
      floatParams.put(b + "norm1.bias", new long[] {d});
      quantizers.put(b + QUANT_INPUT, new QuantizerSpec(c.abits(), true, c.useOffset(), 1));
      linears.put(b + PROJ_Q, new LinearSpec(c.wbits(), d, d, g, "out"));
      linears.put(b + PROJ_K, new LinearSpec(c.wbits(), d, d, g, "out"));
      linears.put(b + PROJ_V, new LinearSpec(c.wbits(), d, d, g, "out"));
      quantizers.put(b + QUANT_Q, new QuantizerSpec(c.abits(), true, false, g));
      quantizers.put(b + QUANT_K, new QuantizerSpec(c.abits(), true, false, g));
      quantizers.put(b + QUANT_V, new QuantizerSpec(c.abits(), true, false, g));
      quantizers.put(b + QUANT_ATTN, new QuantizerSpec(c.abits(), false, false, g));
      quantizers.put(b + QUANT_OUTPUT, new QuantizerSpec(c.abits(), true, false, g));
      linears.put(b + PROJ, new LinearSpec(c.wbits(), d, d, g, "in"));
      floatParams.put(b + "norm2.weight", new long[] {d});
      floatParams.put(b + "norm2.bias", new long[] {d});
      quantizers.put(b + QUANT1, new QuantizerSpec(c.abits(), true, c.useOffset(), 1));
      linears.put(b + FC1, new LinearSpec(c.wbits(), d, c.mlpDim(), 1, "out"));
      quantizers.put(b + QUANT2, new QuantizerSpec(c.abits(), false, true, 1));
      linears.put(b + FC2, new LinearSpec(c.wbits(), c.mlpDim(), d, 1, "out"));
    }
    floatParams.put("norm.weight", new long[] {d});
    floatParams.put("norm.bias", new long[] {d});
    quantizers.put(HEAD_QUANT, new QuantizerSpec(8, true, false, 1));
    linears.put(HEAD, new LinearSpec(8, d, c.numClasses(), 1, "out"));
  }

  /** The name prefix of block i, {@code "blocks.i."}. */
  public static String block(int i) {
    return "blocks." + i + ".";
  }

  public ModelConfig config() {
    return config;
  }

  /** Activation quantizers by name, in forward order. */
  public Map<String, QuantizerSpec> quantizers() {
    return quantizers;
  }

  /** Weight-quantized layers by name, in forward order. */
  public Map<String, LinearSpec> linears() {
    return linears;
  }

  /** Float parameters (F32) by name with their shapes. */
  public Map<String, long[]> floatParams() {
    return floatParams;
  }

  /** Shape of {@code L.weight_int} as exported. */
  public long[] weightShape(String linear) {
    LinearSpec s = linears.get(linear);
    if (linear.equals(PATCH_EMBED)) {
      return new long[] {s.out(), config.inChans(), config.patchSize(), config.patchSize()};
    }
    return s.packed() ? new long[] {s.out(), (s.in() + 1) / 2} : new long[] {s.out(), s.in()};
  }
}
