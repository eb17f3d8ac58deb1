package dev.vvtq.cli;

import dev.vvtq.artifacts.store.ArtifactStore;
import dev.vvtq.engineeval.ExportedModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where an exported model that a command names lives: a local folder, or a store key fetched to a temporary folder. */
final class ExportedModelOption {
  private ExportedModelOption() {}

  /**
   * The local folder of {@code ref}: the folder itself, or, for a store key {@code
   * models/<name>/<version>} that is no local folder, the model fetched (verified) from the store.
   * The store is opened only in that case.
   */
  static Path resolve(String ref, StoreOptions store) throws IOException {
    Path local = Path.of(ref);
    if (Files.exists(local) || !ExportedModels.isStoreKey(ref)) {
      return ExportedModels.resolve(ref, null, null);
    }
    Path scratch = Files.createTempDirectory("vvtq-model-");
    try (ArtifactStore artifacts = store.open()) {
      return ExportedModels.resolve(ref, artifacts, scratch);
    }
  }
}
