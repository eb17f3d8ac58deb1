package dev.vvtq.engineeval;

import dev.vvtq.artifacts.errors.NotFoundException;
import dev.vvtq.artifacts.manifest.Manifest;
import dev.vvtq.artifacts.store.ArtifactLayout;
import dev.vvtq.artifacts.store.ArtifactStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Finds an exported model that a user names: a local folder, or a store key {@code models/<name>/<version>}. */
public final class ExportedModels {
  private ExportedModels() {}

  /** Whether {@code ref} has the form of a store key {@code models/<name>/<version>} (a trailing slash allowed). */
  public static boolean isStoreKey(String ref) {
    return ArtifactLayout.modelKey(ref).isPresent();
  }

  /**
   * The local folder of {@code ref}: the folder itself when one exists at that path; otherwise, when
   * {@code ref} is a store key {@code models/<name>/<version>} and {@code store} is not null, the
   * model fetched from the store into a new folder under {@code scratch} (files verified against the
   * manifest). The folder's contents are checked later, by the engine's loader.
   *
   * @throws IllegalArgumentException naming what was looked for and where
   */
  public static Path resolve(String ref, ArtifactStore store, Path scratch) throws IOException {
    Path local = Path.of(ref);
    if (Files.isDirectory(local)) {
      return local;
    }
    if (Files.exists(local)) {
      throw new IllegalArgumentException(ref + " is a file; an exported model is a folder (models/<name>/<version>/"
          + " holding manifest.json and model.safetensors)");
    }
    String key = ArtifactLayout.modelKey(ref).orElse(null);
    if (store == null || key == null) {
      throw new NotFoundException("no folder " + local.toAbsolutePath()
          + (store == null ? "" : ", and '" + ref + "' is not a store key models/<name>/<version>"));
    }
    if (!store.exists(key + "/" + Manifest.FILE_NAME)) {
      throw new NotFoundException("no folder " + local.toAbsolutePath() + ", and no exported model '" + key
          + "' in the store " + store.location());
    }
    Path into = Files.createTempDirectory(Files.createDirectories(scratch), "model-");
    store.fetchVerified(key, into);
    return into;
  }
}
