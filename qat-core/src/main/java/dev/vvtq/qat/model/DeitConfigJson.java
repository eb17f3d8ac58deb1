package dev.vvtq.qat.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vvtq.imaging.EvalPreprocessor;

/** A config as JSON with timm-style snake_case keys, as stored in checkpoints and exported models. */
public final class DeitConfigJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  private DeitConfigJson() {}

  /** The JSON object. */
  public static ObjectNode toJson(DeitConfig c) {
    ObjectNode o = JSON.createObjectNode();
    o.put("name", c.name());
    o.put("img_size", c.imgSize());
    o.put("patch_size", c.patchSize());
    o.put("in_chans", c.inChans());
    o.put("num_classes", c.numClasses());
    o.put("embed_dim", c.embedDim());
    o.put("depth", c.depth());
    o.put("num_heads", c.numHeads());
    o.put("mlp_ratio", c.mlpRatio());
    o.put("wbits", c.wbits());
    o.put("abits", c.abits());
    o.put("head_wise", c.headWise());
    o.put("use_offset", c.useOffset());
    o.put("drop_path", c.dropPath());
    o.put("crop_pct", c.cropPct());
    return o;
  }

  /** The JSON text. */
  public static String toString(DeitConfig c) {
    return toJson(c).toString();
  }

  /** Parses a config, failing with the name of a missing or mistyped key. */
  public static DeitConfig parse(String json) {
    JsonNode n;
    try {
      n = JSON.readTree(json);
    } catch (Exception e) {
      throw new IllegalArgumentException("model config is not valid JSON: " + e.getMessage(), e);
    }
    return new DeitConfig(
        text(n, "name"),
        integer(n, "img_size"),
        integer(n, "patch_size"),
        integer(n, "in_chans"),
        integer(n, "num_classes"),
        integer(n, "embed_dim"),
        integer(n, "depth"),
        integer(n, "num_heads"),
        number(n, "mlp_ratio"),
        integer(n, "wbits"),
        integer(n, "abits"),
        bool(n, "head_wise"),
        bool(n, "use_offset"),
        n.has("drop_path") ? number(n, "drop_path") : 0.1,
        n.has("crop_pct") ? number(n, "crop_pct") : EvalPreprocessor.DEFAULT_CROP_PCT);
  }

  private static JsonNode field(JsonNode n, String key) {
    JsonNode v = n == null ? null : n.get(key);
    if (v == null || v.isNull()) {
      throw new IllegalArgumentException("model config lacks '" + key + "'");
    }
    return v;
  }

  private static String text(JsonNode n, String key) {
    return field(n, key).asText();
  }

  private static int integer(JsonNode n, String key) {
    JsonNode v = field(n, key);
    if (!v.isIntegralNumber()) {
      throw new IllegalArgumentException("model config '" + key + "' is not an integer: " + v);
    }
    return v.intValue();
  }

  private static double number(JsonNode n, String key) {
    JsonNode v = field(n, key);
    if (!v.isNumber()) {
      throw new IllegalArgumentException("model config '" + key + "' is not a number: " + v);
    }
    return v.doubleValue();
  }

  private static boolean bool(JsonNode n, String key) {
    JsonNode v = field(n, key);
    if (!v.isBoolean()) {
      throw new IllegalArgumentException("model config '" + key + "' is not true/false: " + v);
    }
    return v.booleanValue();
  }
}
