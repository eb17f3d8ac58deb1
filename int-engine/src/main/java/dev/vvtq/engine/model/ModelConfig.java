package dev.vvtq.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The {@code config} metadata of an exported model (docs/EXPORT-FORMAT.md), validated, with the
 * dimensions derived from it.
 */
public record ModelConfig(
    String name,
    int imgSize,
    int patchSize,
    int inChans,
    int numClasses,
    int embedDim,
    int depth,
    int numHeads,
    double mlpRatio,
    int wbits,
    int abits,
    boolean headWise,
    boolean useOffset,
    double normEps) {

  private static final ObjectMapper JSON = new ObjectMapper();

  public ModelConfig {
    require(name != null && !name.isBlank(), "name is empty");
    require(imgSize > 0 && patchSize > 0 && imgSize % patchSize == 0,
        "img_size " + imgSize + " is not a positive multiple of patch_size " + patchSize);
    require(inChans > 0, "in_chans " + inChans + " is not positive");
    require(numClasses > 0, "num_classes " + numClasses + " is not positive");
    require(numHeads > 0 && embedDim > 0 && embedDim % numHeads == 0,
        "embed_dim " + embedDim + " is not a positive multiple of num_heads " + numHeads);
    require(depth > 0, "depth " + depth + " is not positive");
    require(mlpRatio > 0 && Math.abs(embedDim * mlpRatio - Math.rint(embedDim * mlpRatio)) < 1e-9,
        "embed_dim x mlp_ratio = " + embedDim * mlpRatio + " is not a positive integer");
    require(wbits >= 2 && wbits <= 8,
        "wbits " + wbits + " is not in [2, 8] (a float model, wbits -1 or 32, has no integer export)");
    require(abits >= 2 && abits <= 8,
        "abits " + abits + " is not in [2, 8] (a float model, abits -1 or 32, has no integer export)");
    require(normEps > 0 && normEps < 1, "norm_eps " + normEps + " is not in (0, 1)");
  }

  private static void require(boolean ok, String what) {
    if (!ok) {
      throw new ModelFormatException("invalid model config: " + what);
    }
  }

  /** Parses the {@code config} metadata string; every key of the format is required. */
  public static ModelConfig fromJson(String json) {
    JsonNode n;
    try {
      n = JSON.readTree(json);
    } catch (Exception e) {
      throw new ModelFormatException("config metadata is not valid JSON: " + e.getMessage(), e);
    }
    if (n == null || !n.isObject()) {
      throw new ModelFormatException("config metadata is not a JSON object");
    }
    return new ModelConfig(
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
        number(n, "norm_eps"));
  }

  private static JsonNode field(JsonNode n, String key) {
    JsonNode v = n.get(key);
    if (v == null || v.isNull()) {
      throw new ModelFormatException("config metadata has no '" + key + "'");
    }
    return v;
  }

  private static String text(JsonNode n, String key) {
    JsonNode v = field(n, key);
    if (!v.isTextual()) {
      throw new ModelFormatException("config '" + key + "' is " + v + ", not a string");
    }
    return v.asText();
  }

  private static int integer(JsonNode n, String key) {
    JsonNode v = field(n, key);
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      throw new ModelFormatException("config '" + key + "' is " + v + ", not an integer");
    }
    return v.asInt();
  }

  private static double number(JsonNode n, String key) {
    JsonNode v = field(n, key);
    if (!v.isNumber()) {
      throw new ModelFormatException("config '" + key + "' is " + v + ", not a number");
    }
    return v.asDouble();
  }

  private static boolean bool(JsonNode n, String key) {
    JsonNode v = field(n, key);
    if (!v.isBoolean()) {
      throw new ModelFormatException("config '" + key + "' is " + v + ", not true or false");
    }
    return v.asBoolean();
  }

  /** The {@code config} metadata string of this configuration. */
  public String toJson() {
    ObjectNode n = JSON.createObjectNode();
    n.put("name", name);
    n.put("img_size", imgSize);
    n.put("patch_size", patchSize);
    n.put("in_chans", inChans);
    n.put("num_classes", numClasses);
    n.put("embed_dim", embedDim);
    n.put("depth", depth);
    n.put("num_heads", numHeads);
    n.put("mlp_ratio", mlpRatio);
    n.put("wbits", wbits);
    n.put("abits", abits);
    n.put("head_wise", headWise);
    n.put("use_offset", useOffset);
    n.put("norm_eps", normEps);
    return n.toString();
  }

  /** Patches along one side. */
  public int gridSize() {
    return imgSize / patchSize;
  }

  /** Number of patches N. */
  public int numPatches() {
    return gridSize() * gridSize();
  }

  /** Tokens per image: the class token and the patches. */
  public int tokens() {
    return numPatches() + 1;
  }

  /** Head dimension Hd = D / H. */
  public int headDim() {
    return embedDim / numHeads;
  }

  /** MLP hidden width M = D x mlp_ratio. */
  public int mlpDim() {
    return (int) Math.rint(embedDim * mlpRatio);
  }

  /** Length of a flattened patch, C x P x P (the patch-embedding GEMM's K). */
  public int patchDim() {
    return inChans * patchSize * patchSize;
  }

  /** Floats of one input image, C x H x W. */
  public int imageFloats() {
    return inChans * imgSize * imgSize;
  }

  /** Groups of the head-wise quantizers and projections: num_heads when head-wise, else 1. */
  public int headGroups() {
    return headWise ? numHeads : 1;
  }
}
