package dev.vvtq.qat.checkpoint;

import dev.vvtq.artifacts.manifest.Manifest;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A checkpoint resolved to local, verified files.
 *
 * @param source what the user named (a path or a store key)
 * @param modelFile the model weights
 * @param optimizerFile the optimizer state, or null when the checkpoint has none (a bare file)
 * @param manifest the manifest, or null for a bare model file
 */
public record LoadedCheckpoint(String source, Path modelFile, Path optimizerFile, Manifest manifest) {

  /** The class names recorded with the checkpoint (by the trainer), if any. */
  public Optional<java.util.List<String>> classNames() {
    if (manifest == null) {
      return Optional.empty();
    }
    return manifest.field("class_names").filter(n -> n.isArray()).map(n -> {
      java.util.List<String> out = new java.util.ArrayList<>();
      n.forEach(x -> out.add(x.asText()));
      return out;
    });
  }

  /** The training state recorded in the manifest, if any. */
  public Optional<TrainingState> state() {
    if (manifest == null) {
      return Optional.empty();
    }
    return manifest.field("state").map(n -> new TrainingState(
        n.path("epoch").asInt(), n.path("batch_in_pass").asInt(), n.path("global_step").asLong(),
        n.path("best_top1").asDouble(-1), n.path("best_step").asLong(-1)));
  }
}
