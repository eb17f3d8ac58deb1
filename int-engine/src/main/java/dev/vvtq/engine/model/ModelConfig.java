package dev.vvtq.engine.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vvtq.artifacts.json.JsonFields;

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
    JsonFields n = JsonFields.parse(json, "config metadata", ModelFormatException::new);
    return new ModelConfig(
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
        n.number("norm_eps"));
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
