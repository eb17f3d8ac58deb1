package dev.vvtq.inference.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vvtq.artifacts.manifest.ArtifactKinds;
import dev.vvtq.artifacts.manifest.Manifest;
import dev.vvtq.artifacts.store.ArtifactStore;
import dev.vvtq.engine.model.ExportedModel;
import dev.vvtq.engine.model.ModelConfig;
import dev.vvtq.engine.testing.SyntheticModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Random-weight exported models (int-engine's {@link SyntheticModel}: every tensor and metadata entry
 * of docs/EXPORT-FORMAT.md, activation steps calibrated) published to a store as {@code vvtq export}
 * does: {@code model.safetensors}, then the store's manifest with {@code model_format} and the bits
 * per layer.
 */
public final class FixtureModels {
  private static final ObjectMapper JSON = new ObjectMapper();

  private FixtureModels() {}

  /**
   * The models of the service tests: 32x32 RGB, 8x8 patches (17 tokens), D=32, depth 2, 2 heads,
   * MLP 64, 10 classes {@code class_0..class_9}, W4A4, head-wise, with offsets.
   */
  public static ModelConfig tiny() {
    return new ModelConfig("vvtq_test_tiny", 32, 8, 3, 10, 32, 2, 2, 2.0, 4, 4, true, true, 1e-6);
  }

  /** Fashion-MNIST sized (the load benchmark): 32x32, patch 4, D=96, depth 4, 3 heads, 10 classes, W4A4, head-wise, with offsets. */
  public static ModelConfig fashionMnist() {
    return new ModelConfig("deit_fmnist_patch4_32", 32, 4, 3, 10, 96, 4, 3, 4.0, 4, 4, true, true, 1e-6);
  }

  /** DeiT-Tiny at 224 (the load benchmark): D=192, depth 12, 3 heads, 1000 classes, W4A4, head-wise, with offsets. */
  public static ModelConfig deitTiny() {
    return new ModelConfig("deit_tiny_patch16_224", 224, 16, 3, 1000, 192, 12, 3, 4.0, 4, 4, true, true, 1e-6);
  }

  /** The same random model for the same config and seed, in every JVM. */
  public static SyntheticModel model(ModelConfig config, long seed) {
    return SyntheticModel.random(config, seed);
  }

  /** Publishes the model under {@code key} as an exported model. */
  public static void publish(ArtifactStore store, String key, SyntheticModel model) throws IOException {
    publishAs(store, key, model, ArtifactKinds.MODEL);
  }

  /** As {@link #publish} with another manifest kind. */
  public static void publishAs(ArtifactStore store, String key, SyntheticModel model, String kind) throws IOException {
    Path dir = Files.createTempDirectory("vvtq-fixture");
    try {
      SyntheticModel.write(dir, model.tensors(), model.metadata());
      Manifest written = Manifest.parse(Files.readAllBytes(dir.resolve(Manifest.FILE_NAME)), "fixture");
      @SuppressWarnings("unchecked")
      Map<String, Object> fields = JSON.convertValue(written.fields(), Map.class);
      store.publish(key, kind, Map.of(ExportedModel.MODEL_FILE, dir.resolve(ExportedModel.MODEL_FILE)), fields);
    } finally {
      Files.deleteIfExists(dir.resolve(ExportedModel.MODEL_FILE));
      Files.deleteIfExists(dir.resolve(Manifest.FILE_NAME));
      Files.delete(dir);
    }
  }
}
