package dev.vvtq.artifacts.manifest;

/** The manifest kinds this project publishes; a manifest may carry any other kind string too. */
public final class ArtifactKinds {
  /** A training checkpoint: model (and optimizer) safetensors. */
  public static final String CHECKPOINT = "checkpoint";
  /** Soft-label shards produced by the teacher. */
  public static final String SOFT_LABELS = "soft-labels";
  /** A packed integer model exported for the inference engine. */
  public static final String MODEL = "model";
  /** The result of scoring a checkpoint or model on a dataset. */
  public static final String EVALUATION = "evaluation";

  private ArtifactKinds() {}
}
