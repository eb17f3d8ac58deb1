package dev.vvtq.inference.testing;

import dev.vvtq.artifacts.files.FileTree;
import dev.vvtq.artifacts.store.LocalFolderStore;
import dev.vvtq.engine.testing.SyntheticModel;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A local artifact store in a temporary folder with fixture models (random weights, {@link
 * FixtureModels#tiny()}) published in it, and the service configured to use it: {@code tiny}
 * ({@link #TINY_KEY}) loaded at start, {@link #SPARE_KEY} published for load tests.
 */
public class ModelStoreResource implements QuarkusTestResourceLifecycleManager {
  public static final String TINY_KEY = "models/tiny/1";
  public static final String SPARE_KEY = "models/spare/3";
  /** A published artifact of another kind: loading it must fail clearly. */
  public static final String CHECKPOINT_KEY = "runs/r1/checkpoints/1";
  public static final long TINY_SEED = 11;

  private Path root;

  /**
   * The model published under {@link #TINY_KEY} or {@link #SPARE_KEY}, made again (the same config and
   * seed give the same model), for computing expected answers.
   */
  public static SyntheticModel model(String key) {
    return switch (key) {
      case TINY_KEY -> FixtureModels.model(FixtureModels.tiny(), TINY_SEED);
      case SPARE_KEY -> FixtureModels.model(FixtureModels.tiny(), TINY_SEED + 1);
      default -> throw new IllegalArgumentException("no fixture model under " + key);
    };
  }

  @Override
  public Map<String, String> start() {
    try {
      root = Files.createTempDirectory("vvtq-inference-test");
      LocalFolderStore store = new LocalFolderStore(root.resolve("store"));
      SyntheticModel tiny = model(TINY_KEY);
      FixtureModels.publish(store, TINY_KEY, tiny);
      FixtureModels.publish(store, SPARE_KEY, model(SPARE_KEY));
      FixtureModels.publishAs(store, CHECKPOINT_KEY, tiny, "checkpoint");
      return Map.of(
          "vvtq.inference.store.location", root.resolve("store").toString(),
          "vvtq.inference.cache-dir", root.resolve("cache").toString(),
          "vvtq.inference.models", "tiny=" + TINY_KEY,
          "vvtq.inference.batching.model.spare.enabled", "false",
          "vvtq.inference.batching.model.spare.queue-capacity", "5",
          "vvtq.test.store-root", root.resolve("store").toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void stop() {
    if (root == null) {
      return;
    }
    FileTree.deleteQuietly(root); // a temp folder left behind is harmless
  }
}
