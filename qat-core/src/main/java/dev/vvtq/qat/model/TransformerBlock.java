package dev.vvtq.qat.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.vvtq.qat.nn.DropPath;
import dev.vvtq.qat.nn.ForwardContext;
import dev.vvtq.qat.nn.InitRandom;
import dev.vvtq.qat.nn.Layer;
import dev.vvtq.qat.nn.LayerNormLayer;

/** A pre-norm transformer block: x + attn(norm1(x)), then x + mlp(norm2(x)), with drop-path. */
public final class TransformerBlock extends Layer {
  private final LayerNormLayer norm1;
  private final Attention attn;
  private final LayerNormLayer norm2;
  private final Mlp mlp;
  private final double dropPath;

  public TransformerBlock(DeitConfig c, double dropPath) {
    this.norm1 = child("norm1", new LayerNormLayer(c.embedDim()));
    this.attn = child("attn", new Attention(c));
    this.norm2 = child("norm2", new LayerNormLayer(c.embedDim()));
    this.mlp = child("mlp", new Mlp(c));
    this.dropPath = dropPath;
  }

  @Override
  protected void initializeOwn(NDManager manager, InitRandom random) {}

  /** [B, N, C] to [B, N, C]. */
  public NDArray forward(NDArray x, ForwardContext ctx) {
    x = x.add(DropPath.apply(attn.forward(norm1.forward(x), ctx), dropPath, ctx));
    return x.add(DropPath.apply(mlp.forward(norm2.forward(x), ctx), dropPath, ctx));
  }

  /** This block's drop-path rate. */
  public double dropPath() {
    return dropPath;
  }
}
