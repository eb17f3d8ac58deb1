package dev.vvtq.inference.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vvtq.artifacts.files.FileTree;
import dev.vvtq.artifacts.manifest.Sha256;
import dev.vvtq.artifacts.store.LocalFolderStore;
import dev.vvtq.engine.EngineOptions;
import dev.vvtq.engine.IntDeit;
import dev.vvtq.engine.model.ExportedModel;
import dev.vvtq.engine.testing.ReferenceDeit;
import dev.vvtq.engine.testing.SyntheticModel;
import dev.vvtq.inference.model.ModelDescription;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Expected answers for the fixture models, computed without the service: the engine called directly
 * on the published folder (the service must give exactly its logits: the engine's results do not
 * depend on threads or batch pieces), and int-engine's {@link ReferenceDeit}, a plain
 * double-precision forward pass written from docs/EXPORT-FORMAT.md that shares no code with the
 * engine, on the model made again from its seed (checked to be byte-identical to the published one).
 */
public final class ReferenceModels implements AutoCloseable {
  private final LocalFolderStore store;
  private final Map<String, IntDeit> engines = new HashMap<>();
  private final Map<String, ReferenceDeit> references = new HashMap<>();

  public ReferenceModels(Path storeRoot) throws IOException {
    this.store = new LocalFolderStore(storeRoot);
  }

  public ModelDescription description(String key) throws IOException {
    return ModelDescription.of(ExportedModel.load(store.pathOf(key)));
  }

  /** The logits of the engine opened directly on the published folder, for {@code n} preprocessed images. */
  public synchronized float[] engineLogits(String key, float[] images, int n) throws IOException {
    IntDeit engine = engines.get(key);
    if (engine == null) {
      engine = IntDeit.load(store.pathOf(key), EngineOptions.defaults().withThreads(1));
      engines.put(key, engine);
    }
    return engine.forward(Arrays.copyOf(images, n * engine.imageFloats()), n);
  }

  /**
   * Asserts that {@code logits} ({@code [n, K]}) are the fixture model's logits of the images by the
   * double-precision reference: per image, max |difference| at most 1e-3 of the logit range (as
   * int-engine's ForwardAccuracyTest), on a non-degenerate range.
   */
  public void assertMatchesReference(String key, float[] images, int n, float[] logits) throws IOException {
    ReferenceDeit reference = reference(key);
    ModelDescription d = description(key);
    int per = d.imageElements();
    int classes = d.numClasses();
    assertEquals(n * classes, logits.length, "logits of " + n + " images x " + classes + " classes");
    for (int i = 0; i < n; i++) {
      double[] expected = reference.logits(Arrays.copyOfRange(images, i * per, (i + 1) * per));
      double max = Double.NEGATIVE_INFINITY;
      double min = Double.POSITIVE_INFINITY;
      double worst = 0;
      for (int j = 0; j < classes; j++) {
        max = Math.max(max, expected[j]);
        min = Math.min(min, expected[j]);
        worst = Math.max(worst, Math.abs(expected[j] - logits[i * classes + j]));
      }
      double range = max - min;
      assertTrue(range > 0.1, key + " image " + i + ": logits span only " + range + ", a degenerate test model");
      assertTrue(worst <= 1e-3 * range, key + " image " + i + ": max |logit - reference| " + worst
          + " > 1e-3 x range " + range);
    }
  }

  private synchronized ReferenceDeit reference(String key) throws IOException {
    ReferenceDeit r = references.get(key);
    if (r == null) {
      SyntheticModel model = ModelStoreResource.model(key);
      Path dir = Files.createTempDirectory("vvtq-reference");
      try {
        SyntheticModel.write(dir, model.tensors(), model.metadata());
        String published = store.readManifest(key).file(ExportedModel.MODEL_FILE).orElseThrow().sha256();
        assertEquals(published, Sha256.hex(dir.resolve(ExportedModel.MODEL_FILE)),
            "the model made again from its seed is the published one");
      } finally {
        FileTree.deleteQuietly(dir);
      }
      r = new ReferenceDeit(model);
      references.put(key, r);
    }
    return r;
  }

  @Override
  public synchronized void close() {
    engines.values().forEach(IntDeit::close);
    engines.clear();
  }
}
