package dev.vvtq.cli;

import dev.vvtq.artifacts.files.ScratchFolder;
import dev.vvtq.artifacts.store.ArtifactStore;
import dev.vvtq.engine.model.ExportedModel;
import dev.vvtq.engineeval.ExportedModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** An exported model that a command names: a local folder, or a store key fetched to a temporary folder. */
final class ExportedModelOption {
  private ExportedModelOption() {}

  /**
   * The model in {@code ref}: the folder itself, or, for a store key {@code models/<name>/<version>}
   * that is no local folder, the model fetched (verified) from the store into a temporary folder,
   * which is gone once the model is in memory. The store is opened only in that case.
   */
  static ExportedModel load(String ref, StoreOptions store) throws IOException {
    Path local = Path.of(ref);
    if (Files.exists(local) || !ExportedModels.isStoreKey(ref)) {
      return ExportedModel.load(ExportedModels.resolve(ref, null, null));
    }
    try (ScratchFolder scratch = ScratchFolder.create("vvtq-model-"); ArtifactStore artifacts = store.open()) {
      return ExportedModel.load(ExportedModels.resolve(ref, artifacts, scratch.path()));
    }
  }
}
