package dev.vvtq.inference.model;

import java.io.IOException;
import java.nio.file.Path;

/** Opens exported models (docs/EXPORT-FORMAT.md) for inference. */
public interface ModelRunnerFactory {

  /**
   * Opens the exported model in {@code modelDir} (a local folder holding {@code model.safetensors}
   * and {@code manifest.json}); {@link ModelFormatException} says why it cannot be served.
   */
  ModelRunner open(Path modelDir) throws IOException;
}
