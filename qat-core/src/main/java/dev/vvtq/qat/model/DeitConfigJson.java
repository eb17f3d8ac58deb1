package dev.vvtq.qat.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vvtq.artifacts.json.JsonFields;
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
    JsonFields n = JsonFields.parse(json, "model config", IllegalArgumentException::new);
    return new DeitConfig(
        n.text("name"),
        n.integer("img_size"),
        n.integer("patch_size"),
        n.integer("in_chans"),
        n.integer("num_classes"),
        n.integer("embed_dim"),
        n.integer("depth"),
        n.integer("num_heads"),
        n.number("mlp_ratio"),
        n.integer("wbits"),
        n.integer("abits"),
        n.bool("head_wise"),
        n.bool("use_offset"),
        n.number("drop_path", 0.1),
        n.number("crop_pct", EvalPreprocessor.DEFAULT_CROP_PCT));
  }
}
