package dev.vvtq.evaluator.scoring;

import dev.vvtq.qat.data.ImageFolder;
import java.nio.file.Files;
import java.nio.file.Path;

/** The images a request's dataset names: its val/ folder when there is one, else the folder itself. */
public final class DatasetSplits {
  private DatasetSplits() {}

  public static ImageFolder resolve(String dataset) {
    if (dataset == null || dataset.isBlank()) {
      throw new IllegalArgumentException("dataset: required, an ImageFolder root on the evaluator's machine");
    }
    Path root = Path.of(dataset);
    if (!Files.isDirectory(root)) {
      throw new IllegalArgumentException("dataset: no folder '" + dataset + "' on the evaluator's machine");
    }
    try {
      return Files.isDirectory(root.resolve("val")) ? ImageFolder.split(root, "val") : ImageFolder.open(root);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("dataset: '" + dataset + "' is not a usable ImageFolder: " + e.getMessage(), e);
    }
  }
}
