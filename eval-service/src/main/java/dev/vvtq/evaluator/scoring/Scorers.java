package dev.vvtq.evaluator.scoring;

import dev.vvtq.artifacts.manifest.Manifest;
import dev.vvtq.artifacts.store.ArtifactLayout;
import dev.vvtq.artifacts.store.ArtifactStore;
import dev.vvtq.proto.v1.ArtifactRef;
import dev.vvtq.proto.v1.EvalEngine;
import dev.vvtq.qat.checkpoint.CheckpointKeys;
import dev.vvtq.qat.jobs.OpenedCheckpoint;
import java.io.IOException;
import java.nio.file.Path;

/** Opens what a request names on the engine it asks for (or the artifact's natural one). */
public final class Scorers {
  private final ArtifactStore store;
  private final int loaderThreads;
  private final IntModelScorer.Options intOptions;

  public Scorers(ArtifactStore store, int loaderThreads, IntModelScorer.Options intOptions) {
    this.store = store;
    this.loaderThreads = loaderThreads;
    this.intOptions = intOptions;
  }

  /** The engine a request gets: its own choice, else INT for exported models and DJL for checkpoints. */
  public static EvalEngine engineFor(ArtifactRef ref, EvalEngine requested) {
    if (requested == EvalEngine.UNRECOGNIZED) {
      throw new IllegalArgumentException("engine: unknown value");
    }
    if (ref.hasModel()) {
      if (requested == EvalEngine.EVAL_ENGINE_DJL) {
        throw new IllegalArgumentException("engine DJL scores checkpoints; exported model " + ref.getModel()
            + " is scored by the INT engine (leave engine unset or choose INT)");
      }
      return EvalEngine.EVAL_ENGINE_INT;
    }
    if (requested == EvalEngine.EVAL_ENGINE_INT) {
      throw new IllegalArgumentException("engine INT scores exported models (models/<name>/<version>); checkpoint "
          + ref.getCheckpoint() + " is scored by DJL (export it first to score it with the integer engine)");
    }
    return EvalEngine.EVAL_ENGINE_DJL;
  }

  /** Checks the reference and that the artifact exists, without fetching it. */
  public void check(ArtifactRef ref, EvalEngine requested) throws IOException {
    engineFor(ref, requested);
    if (ref.hasCheckpoint()) {
      checkpointKey(ref.getCheckpoint());
    } else if (ref.hasModel()) {
      modelKey(ref.getModel());
    } else {
      throw new IllegalArgumentException("artifact: set checkpoint (runs/<id>@best, ...) or model (models/<name>/<version>)");
    }
  }

  /** Fetches (verifying against the manifest) and opens the artifact; files go under {@code scratch}. */
  public ArtifactScorer open(ArtifactRef ref, EvalEngine requested, Path scratch) throws IOException {
    check(ref, requested);
    if (ref.hasCheckpoint()) {
      return new CheckpointScorer(OpenedCheckpoint.open(store, checkpointKey(ref.getCheckpoint()), scratch), loaderThreads);
    }
    String key = modelKey(ref.getModel());
    Path dir = scratch.resolve("model");
    store.fetchVerified(key, dir);
    return IntModelScorer.open(dir, intOptions);
  }

  private String checkpointKey(String ref) throws IOException {
    if (!CheckpointKeys.isStoreRef(ref)) {
      throw new IllegalArgumentException("artifact.checkpoint: a store key such as runs/<run-id>@best or"
          + " runs/<run-id>/checkpoints/<step>, got '" + ref + "'");
    }
    return CheckpointKeys.resolve(store, ref)
        .orElseThrow(() -> new ArtifactMissingException("no checkpoint '" + ref + "' in " + store.location()));
  }

  private String modelKey(String ref) throws IOException {
    String key = ArtifactLayout.modelKey(ref)
        .orElseThrow(() -> new IllegalArgumentException("artifact.model: models/<name>/<version>, got '" + ref + "'"));
    if (!store.exists(key + "/" + Manifest.FILE_NAME)) {
      throw new ArtifactMissingException("no exported model '" + key + "' in " + store.location());
    }
    return key;
  }
}
