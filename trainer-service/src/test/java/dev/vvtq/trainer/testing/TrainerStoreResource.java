package dev.vvtq.trainer.testing;

import dev.vvtq.artifacts.files.FileTree;
import dev.vvtq.qat.testing.TinyImageFolder;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** A temporary local store and a tiny 3-class ImageFolder, with the service configured to use them. */
public class TrainerStoreResource implements QuarkusTestResourceLifecycleManager {
  private Path root;

  @Override
  public Map<String, String> start() {
    try {
      root = Files.createTempDirectory("vvtq-trainer-test");
      Path data = TinyImageFolder.write(root.resolve("data"), 3, 16, 6);
      return Map.of(
          "vvtq.trainer.store.location", root.resolve("store").toString(),
          "vvtq.trainer.work-dir", root.resolve("work").toString(),
          "vvtq.test.data", data.toString(),
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
