package dev.vvtq.qat.jobs;

import ai.djl.ndarray.NDManager;
import dev.vvtq.artifacts.files.ScratchFolder;
import dev.vvtq.artifacts.store.ArtifactStore;
import dev.vvtq.qat.checkpoint.CheckpointRepository;
import dev.vvtq.qat.checkpoint.LoadedCheckpoint;
import dev.vvtq.qat.checkpoint.ModelWeights;
import dev.vvtq.qat.data.ImageFolder;
import dev.vvtq.qat.model.DeitConfig;
import dev.vvtq.qat.model.QuantDeit;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A checkpoint fetched (verified) into a scratch folder and loaded as a model; closing it releases
 * the model's native memory and deletes the fetched files. Every job that reads a checkpoint opens
 * it here.
 */
public final class OpenedCheckpoint implements AutoCloseable {
  private final String ref;
  private final ScratchFolder scratch;
  private final NDManager manager;
  private final LoadedCheckpoint checkpoint;
  private final QuantDeit model;

  private OpenedCheckpoint(String ref, ScratchFolder scratch, NDManager manager, LoadedCheckpoint checkpoint, QuantDeit model) {
    this.ref = ref;
    this.scratch = scratch;
    this.manager = manager;
    this.checkpoint = checkpoint;
    this.model = model;
  }

  /**
   * Opens {@code ref} (a folder, a model.safetensors file, or a store key such as {@code
   * runs/<id>@best}); the fetched files go into a new folder under {@code scratchParent}, or under
   * the system's temporary folder when it is null.
   */
  public static OpenedCheckpoint open(ArtifactStore store, String ref, Path scratchParent) throws IOException {
    ScratchFolder scratch = scratchParent == null ? ScratchFolder.create("vvtq-ckpt-")
        : ScratchFolder.createIn(scratchParent, "ckpt-");
    NDManager manager = null;
    try {
      LoadedCheckpoint c = CheckpointRepository.resolve(store, ref, scratch.path());
      manager = NDManager.newBaseManager();
      return new OpenedCheckpoint(ref, scratch, manager, c, ModelWeights.load(c.modelFile(), manager));
    } catch (IOException | RuntimeException e) {
      if (manager != null) {
        manager.close();
      }
      scratch.close();
      throw e;
    }
  }

  /** The reference it was opened by. */
  public String ref() {
    return ref;
  }

  /** The fetched checkpoint (files, manifest). */
  public LoadedCheckpoint checkpoint() {
    return checkpoint;
  }

  /** The loaded model. */
  public QuantDeit model() {
    return model;
  }

  /** The model's architecture and bit widths. */
  public DeitConfig config() {
    return model.config();
  }

  /** The SHA-256 of the model file as the manifest records it; empty for a checkpoint without one. */
  public String modelSha256() {
    return checkpoint.manifest() == null ? ""
        : checkpoint.manifest().file("model.safetensors").map(f -> f.sha256()).orElse("");
  }

  /** The class names the checkpoint records, if any. */
  public Optional<List<String>> classNames() {
    return checkpoint.classNames();
  }

  /** The run the checkpoint belongs to, as its manifest records it. */
  public Optional<String> runId() {
    return checkpoint.manifest() == null ? Optional.empty()
        : checkpoint.manifest().field("run_id").map(x -> x.asText());
  }

  /** Fails, naming both counts, unless the model has as many classes as {@code folder}. */
  public void requireClassCountOf(ImageFolder folder) {
    if (config().numClasses() != folder.numClasses()) {
      throw new IllegalArgumentException("the checkpoint " + ref + " has " + config().numClasses() + " classes but "
          + folder.root() + " has " + folder.numClasses());
    }
  }

  @Override
  public void close() {
    try {
      model.close();
      manager.close();
    } finally {
      scratch.close();
    }
  }
}
