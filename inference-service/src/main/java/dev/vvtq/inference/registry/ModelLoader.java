package dev.vvtq.inference.registry;

import dev.vvtq.artifacts.files.FileTree;
import dev.vvtq.artifacts.manifest.ArtifactKinds;
import dev.vvtq.artifacts.manifest.FileEntry;
import dev.vvtq.artifacts.manifest.Manifest;
import dev.vvtq.artifacts.manifest.ManifestFormatException;
import dev.vvtq.artifacts.store.ArtifactIntegrityException;
import dev.vvtq.artifacts.store.ArtifactNotFoundException;
import dev.vvtq.artifacts.store.ArtifactStore;
import dev.vvtq.engine.model.ExportedModel;
import dev.vvtq.inference.model.ModelFormatException;
import dev.vvtq.inference.model.ModelRunner;
import dev.vvtq.inference.model.ModelRunnerFactory;
import dev.vvtq.inference.registry.ModelLoadException.Reason;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Brings an exported model from the artifact store into memory: downloads its files into a local
 * cache folder verifying each against the manifest's SHA-256, opens it with the engine (which reads
 * and validates its metadata) and warms the engine up.
 */
public final class ModelLoader {
  private final ArtifactStore store;
  private final Path cacheDir;
  private final ModelRunnerFactory factory;

  public ModelLoader(ArtifactStore store, Path cacheDir, ModelRunnerFactory factory) {
    this.store = store;
    this.cacheDir = cacheDir;
    this.factory = factory;
  }

  /** The local folder a model's files are fetched into. */
  public Path localDir(ModelSource source) {
    return cacheDir.resolve(source.storeKey());
  }

  /** A warmed-up runner and the verified SHA-256 of its weights; {@link ModelLoadException} on failure. */
  public Opened open(ModelSource source) {
    String where = "'" + source.storeKey() + "' in " + store.location();
    Manifest manifest;
    Path dir = localDir(source);
    try {
      manifest = store.fetchVerified(source.storeKey(), dir);
    } catch (ArtifactNotFoundException e) {
      throw new ModelLoadException(Reason.NOT_FOUND, "no published model at " + where + ": " + e.getMessage(), e);
    } catch (ArtifactIntegrityException e) {
      throw new ModelLoadException(Reason.INTEGRITY, "model at " + where + " failed verification: " + e.getMessage(), e);
    } catch (ManifestFormatException e) {
      throw new ModelLoadException(Reason.FORMAT, "the manifest at " + where + " is unreadable: " + e.getMessage(), e);
    } catch (IOException | RuntimeException e) {
      throw new ModelLoadException(Reason.STORE, "cannot fetch the model at " + where + ": " + e.getMessage(), e);
    }
    if (!ArtifactKinds.MODEL.equals(manifest.kind())) {
      throw new ModelLoadException(Reason.FORMAT, where + " holds a '" + manifest.kind()
          + "' artifact, not an exported model ('" + ArtifactKinds.MODEL + "'); export it with 'vvtq export'", null);
    }
    FileEntry entry = manifest.file(ExportedModel.MODEL_FILE).orElseThrow(() -> new ModelLoadException(Reason.FORMAT,
        "the manifest of " + where + " names no " + ExportedModel.MODEL_FILE + " (files: " + manifest.files().keySet() + ")", null));
    ModelRunner runner;
    try {
      runner = factory.open(dir);
    } catch (ModelFormatException e) {
      throw new ModelLoadException(Reason.FORMAT, "model at " + where + " is not servable: " + e.getMessage(), e);
    } catch (IOException | RuntimeException e) {
      throw new ModelLoadException(Reason.ENGINE, "the engine cannot open the model at " + where + ": " + e.getMessage(), e);
    }
    try {
      runner.warmUp();
    } catch (RuntimeException e) {
      runner.close();
      throw new ModelLoadException(Reason.ENGINE, "warm-up of the model at " + where + " failed: " + e.getMessage(), e);
    }
    return new Opened(runner, entry.sha256());
  }

  /** Removes a model's cached files (after its runner was closed); failures are ignored. */
  public void evict(ModelSource source) {
    // A stale cache folder left here is overwritten by the next fetch of the same key.
    FileTree.deleteQuietly(localDir(source));
  }

  /** A warmed-up runner and the SHA-256 of the weights it was opened from. */
  public record Opened(ModelRunner runner, String sha256) {}
}
