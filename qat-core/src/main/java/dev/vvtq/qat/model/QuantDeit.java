package dev.vvtq.qat.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.vvtq.qat.nn.ForwardContext;
import dev.vvtq.qat.nn.InitRandom;
import dev.vvtq.qat.nn.Layer;
import dev.vvtq.qat.nn.LayerNormLayer;
import dev.vvtq.qat.nn.Param;
import dev.vvtq.qat.nn.ParamKind;
import dev.vvtq.qat.quant.ActivationQuantizer;
import dev.vvtq.qat.quant.GroupAxis;
import dev.vvtq.qat.quant.QuantLinear;
import dev.vvtq.qat.quant.QuantRange;
import dev.vvtq.qat.quant.WeightQuantized;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The quantized DeiT of VVTQ-METHOD section 2, with timm's parameter names (q/k/v split into
 * {@code attn.proj_q/k/v}). Owns its parameters on the manager it was created with.
 */
public final class QuantDeit extends Layer implements AutoCloseable {
  private final DeitConfig config;
  private final NDManager manager;
  private final PatchEmbed patchEmbed;
  private final Param clsToken;
  private final Param posEmbed;
  private final List<TransformerBlock> blocks = new ArrayList<>();
  private final LayerNormLayer norm;
  private final ActivationQuantizer quant;
  private final QuantLinear head;

  private QuantDeit(DeitConfig c, NDManager manager) {
    this.config = c;
    this.manager = manager;
    this.patchEmbed = child("patch_embed", new PatchEmbed(c));
    this.clsToken = param("cls_token", ParamKind.EMBEDDING, new Shape(1, 1, c.embedDim()));
    this.posEmbed = param("pos_embed", ParamKind.EMBEDDING, new Shape(1, c.numPatches() + 1, c.embedDim()));
    Layer blockList = child("blocks", new LayerList());
    for (int i = 0; i < c.depth(); i++) {
      blocks.add(((LayerList) blockList).add(new TransformerBlock(c, dropPathRate(c, i))));
    }
    this.norm = child("norm", new LayerNormLayer(c.embedDim()));
    int bits = c.edgeBits();
    this.quant = QuantRange.isFloat(bits) ? null : child("quant", new ActivationQuantizer(bits, true, c.useOffset(), 1));
    this.head = child("head", new QuantLinear(c.embedDim(), c.numClasses(), true, bits, 1, GroupAxis.OUT));
    assignPaths();
  }

  /** Builds a model with freshly initialised parameters owned by a sub-manager of {@code parent}. */
  public static QuantDeit create(DeitConfig config, NDManager parent, long seed) {
    QuantDeit m = new QuantDeit(config, parent.newSubManager());
    m.initialize(m.manager, new InitRandom(seed));
    return m;
  }

  /** Stochastic depth per block: linearly from 0 to the configured rate, as timm computes it. */
  static double dropPathRate(DeitConfig c, int i) {
    if (c.depth() == 1) {
      return 0;
    }
    float step = (float) c.dropPath() / (c.depth() - 1);
    return (float) (i * step);
  }

  @Override
  protected void initializeOwn(NDManager m, InitRandom random) {
    clsToken.assign(m, random.truncatedNormal(config.embedDim(), 0.02));
    posEmbed.assign(m, random.truncatedNormal((config.numPatches() + 1) * config.embedDim(), 0.02));
  }

  /** Logits [B, classes] of normalised images [B, C, H, W]. */
  public NDArray forward(NDArray images, ForwardContext ctx) {
    NDArray t = patchEmbed.forward(images, ctx);
    long b = t.getShape().get(0);
    NDArray cls = clsToken.array().broadcast(new Shape(b, 1, config.embedDim()));
    t = NDArrays.concat(new ai.djl.ndarray.NDList(cls, t), 1).add(posEmbed.array());
    for (TransformerBlock block : blocks) {
      t = block.forward(t, ctx);
    }
    NDArray c = norm.forward(t).get(":, 0, :");
    return head.forward(Attention.quantize(quant, c, ctx), ctx);
  }

  /**
   * Temporarily attaches every parameter to {@code step}, so that arrays derived from parameters
   * during a forward/backward belong to the step and are freed with it; parameters return to the
   * model when {@code step} closes.
   */
  public void attachParametersTo(NDManager step) {
    for (Param p : namedParameters().values()) {
      p.array().tempAttach(step);
    }
  }

  /** The configuration. */
  public DeitConfig config() {
    return config;
  }

  /** The manager owning the parameters. */
  public NDManager manager() {
    return manager;
  }

  /** Every layer with a quantizable weight, by name (patch embedding, q/k/v/proj/fc1/fc2, head). */
  public Map<String, WeightQuantized> weightLayers() {
    Map<String, WeightQuantized> out = new java.util.LinkedHashMap<>();
    namedLayers().forEach((n, l) -> {
      if (l instanceof WeightQuantized w) {
        out.put(n, w);
      }
    });
    return out;
  }

  /** Every activation quantizer by name. */
  public Map<String, ActivationQuantizer> activationQuantizers() {
    Map<String, ActivationQuantizer> out = new java.util.LinkedHashMap<>();
    namedLayers().forEach((n, l) -> {
      if (l instanceof ActivationQuantizer q) {
        out.put(n, q);
      }
    });
    return out;
  }

  /** Parameters of the network itself (weights, biases, norms, embeddings), without quantizer step sizes and offsets. */
  public long networkParameterCount() {
    return namedParameters().values().stream()
        .filter(p -> p.kind() != ParamKind.STEP && p.kind() != ParamKind.OFFSET)
        .mapToLong(p -> p.shape().size()).sum();
  }

  /** The transformer blocks. */
  public List<TransformerBlock> blocks() {
    return List.copyOf(blocks);
  }

  @Override
  public void close() {
    manager.close();
  }

  /** An indexed list of children named 0, 1, 2, ... (timm's {@code blocks.N}). */
  static final class LayerList extends Layer {
    private int size;

    <L extends Layer> L add(L layer) {
      return child(Integer.toString(size++), layer);
    }

    @Override
    protected void initializeOwn(NDManager manager, InitRandom random) {}
  }
}
