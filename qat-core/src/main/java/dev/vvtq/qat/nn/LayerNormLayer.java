package dev.vvtq.qat.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.norm.LayerNorm;

/** LayerNorm over the last axis, eps 1e-6 as in DeiT, always float. */
public final class LayerNormLayer extends Layer {
  /** DeiT's epsilon. */
  public static final float EPS = 1e-6f;

  private final int dim;
  private final Param weight;
  private final Param bias;

  public LayerNormLayer(int dim) {
    this.dim = dim;
    this.weight = param("weight", ParamKind.NORM, new Shape(dim));
    this.bias = param("bias", ParamKind.NORM, new Shape(dim));
  }

  @Override
  protected void initializeOwn(NDManager manager, InitRandom random) {
    weight.fill(manager, 1f);
    bias.fill(manager, 0f);
  }

  /** Normalises the last axis. */
  public NDArray forward(NDArray x) {
    return LayerNorm.layerNorm(x, new Shape(dim), weight.array(), bias.array(), EPS).singletonOrThrow();
  }
}
