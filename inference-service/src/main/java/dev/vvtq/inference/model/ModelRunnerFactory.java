package dev.vvtq.inference.model;

import java.io.IOException;
import java.nio.file.Path;

/** Opens exported models (docs/EXPORT-FORMAT.md) for inference. */
public interface ModelRunnerFactory {

  /**
   * Opens the exported model in {@code modelDir} (a local folder holding {@code model.safetensors}
   * and {@code manifest.json}, already verified against each other) whose metadata has been read
   * into {@code description}.
   */
  ModelRunner open(Path modelDir, ModelDescription description) throws IOException;
}
