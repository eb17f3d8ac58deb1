package dev.vvtq.qat.nn;

/** What a parameter is; decides weight decay (timm's rule: only weights of rank >= 2 decay). */
public enum ParamKind {
  /** Linear / convolution weight (rank >= 2): the only kind that gets weight decay. */
  WEIGHT(true),
  /** Linear / convolution bias. */
  BIAS(false),
  /** LayerNorm scale or shift. */
  NORM(false),
  /** {@code cls_token} and {@code pos_embed}. */
  EMBEDDING(false),
  /** Quantizer step size (alpha); clamped to >= 1e-4 after every update. */
  STEP(false),
  /** Activation quantizer offset (beta). */
  OFFSET(false);

  private final boolean decays;

  ParamKind(boolean decays) {
    this.decays = decays;
  }

  /** Whether AdamW applies weight decay to this kind. */
  public boolean decays() {
    return decays;
  }
}
