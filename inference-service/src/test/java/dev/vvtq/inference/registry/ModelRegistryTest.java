package dev.vvtq.inference.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vvtq.artifacts.store.LocalFolderStore;
import dev.vvtq.engine.EngineOptions;
import dev.vvtq.engine.IntDeit;
import dev.vvtq.engine.model.ModelConfig;
import dev.vvtq.engine.testing.SyntheticModel;
import dev.vvtq.inference.batching.BatchingOptions;
import dev.vvtq.inference.model.IntEngineRunnerFactory;
import dev.vvtq.inference.model.ModelDescription;
import dev.vvtq.inference.model.ModelRunner;
import dev.vvtq.inference.model.ModelRunnerFactory;
import dev.vvtq.inference.testing.FixtureModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelRegistryTest {
  @TempDir
  Path tmp;

  private LocalFolderStore store;
  private ModelRegistry registry;
  private final IntEngineRunnerFactory engines = new IntEngineRunnerFactory(IntEngineRunnerFactory.options(1),
      Duration.ofSeconds(15));
  private SyntheticModel first;

  @BeforeEach
  void setUp() throws Exception {
    store = new LocalFolderStore(tmp.resolve("store"));
    first = FixtureModels.model(FixtureModels.tiny(), 1);
    FixtureModels.publish(store, "models/a/1", first);
    FixtureModels.publish(store, "models/a/2", FixtureModels.model(FixtureModels.tiny(), 2));
    registry = new ModelRegistry(new ModelLoader(store, tmp.resolve("cache"), engines),
        name -> new BatchingOptions(4, 100, 8), Duration.ofSeconds(5), RegistryObserver.NONE);
  }

  @AfterEach
  void tearDown() {
    registry.close();
  }

  @Test
  void loadedModelsAreReadyWithTheirMetadataAndVerifiedHash() throws Exception {
    ModelStatus s = registry.load(ModelSource.of("models/a/1", null), false);
    assertEquals(ModelState.READY, s.state());
    assertEquals("a", s.name());
    assertEquals("1", s.version());
    assertEquals(10, s.description().numClasses());
    assertEquals(store.readManifest("models/a/1").file("model.safetensors").orElseThrow().sha256(), s.sha256());
    assertEquals(32, s.description().inputSize());
    assertEquals("class_3", s.description().classNames().get(3));
    LoadedModel m = registry.require("a", "");
    float[] image = SyntheticModel.randomImages(first.config, 1, 5);
    float[] out = m.batcher().reserve().submit(image, 1, Long.MAX_VALUE, () -> false)
        .get(5, TimeUnit.SECONDS).outputs();
    assertEquals(10, out.length);
    // What the engine computes on the published folder, directly.
    try (IntDeit direct = IntDeit.load(store.pathOf("models/a/1"), EngineOptions.defaults().withThreads(1))) {
      assertArrayEquals(direct.forward(image, 1), out);
    }
  }

  @Test
  void replacingKeepsServingAndSwapsTheVersion() {
    registry.load(ModelSource.of("models/a/1", null), false);
    LoadedModel first = registry.require("a", "1");
    ModelConflictException e = assertThrows(ModelConflictException.class,
        () -> registry.load(ModelSource.of("models/a/2", null), false));
    assertEquals(ModelConflictException.Kind.ALREADY_LOADED, e.clash());
    registry.load(ModelSource.of("models/a/2", null), true);
    assertEquals("2", registry.require("a", "").version());
    assertThrows(ModelNotFoundException.class, () -> registry.require("a", "1"));
    assertTrue(!first.batcher().accepting(), "the old version was drained and stopped");
  }

  @Test
  void failedLoadsAreRecordedWithTheirReason() throws Exception {
    ModelLoadException missing = assertThrows(ModelLoadException.class,
        () -> registry.load(ModelSource.of("models/b/1", null), false));
    assertEquals(ModelLoadException.Reason.NOT_FOUND, missing.reason());
    assertEquals(ModelState.FAILED, registry.get("b").state());
    assertThrows(ModelNotReadyException.class, () -> registry.require("b", ""));

    // A file changed after publication fails verification.
    Path file = store.pathOf("models/a/1/model.safetensors");
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length - 1] ^= 1;
    Files.write(file, bytes);
    ModelLoadException corrupt = assertThrows(ModelLoadException.class,
        () -> registry.load(ModelSource.of("models/a/1", null), false));
    assertEquals(ModelLoadException.Reason.INTEGRITY, corrupt.reason());
  }

  @Test
  void failingWarmUpIsAnEngineFailureAndClosesTheEngine() {
    AtomicReference<ModelRunner> opened = new AtomicReference<>();
    ModelRunnerFactory failingWarmUp = dir -> {
      ModelRunner real = engines.open(dir);
      opened.set(real);
      return new ModelRunner() {
        @Override
        public ModelDescription description() {
          return real.description();
        }

        @Override
        public String backend() {
          return real.backend();
        }

        @Override
        public float[] logits(float[] images, int n) {
          return real.logits(images, n);
        }

        @Override
        public void warmUp() {
          throw new IllegalStateException("no kernels for this CPU");
        }

        @Override
        public void close() {
          real.close();
        }
      };
    };
    ModelRegistry broken = new ModelRegistry(new ModelLoader(store, tmp.resolve("cache2"), failingWarmUp),
        name -> new BatchingOptions(1, 0, 1), Duration.ofSeconds(1), RegistryObserver.NONE);
    ModelLoadException e = assertThrows(ModelLoadException.class, () -> broken.load(ModelSource.of("models/a/1", null), false));
    assertEquals(ModelLoadException.Reason.ENGINE, e.reason());
    assertTrue(e.getMessage().contains("no kernels for this CPU"), e.getMessage());
    IllegalStateException closed = assertThrows(IllegalStateException.class,
        () -> opened.get().logits(new float[3 * 32 * 32], 1));
    assertTrue(closed.getMessage().contains("closed"), closed.getMessage());
    broken.close();
  }

  @Test
  void aModelTheEngineRejectsIsAFormatFailure() throws Exception {
    // Valid metadata, but a tensor missing.
    SyntheticModel m = FixtureModels.model(FixtureModels.tiny(), 3);
    Map<String, SyntheticModel.RawTensor> tensors = m.tensors();
    tensors.remove("blocks.1.mlp.fc2.bias");
    Path dir = tmp.resolve("broken");
    SyntheticModel.write(dir, tensors, m.metadata());
    store.publish("models/broken/1", "model", Map.of("model.safetensors", dir.resolve("model.safetensors")),
        Map.of("model_format", "vvtq-int/1"));
    ModelLoadException e = assertThrows(ModelLoadException.class,
        () -> registry.load(ModelSource.of("models/broken/1", null), false));
    assertEquals(ModelLoadException.Reason.FORMAT, e.reason());
    assertTrue(e.getMessage().contains("blocks.1.mlp.fc2.bias"), e.getMessage());
    assertEquals(ModelState.FAILED, registry.get("broken").state());
  }

  @Test
  void aSingleChannelModelIsRefusedWithTheReason() throws Exception {
    // A valid export the engine could run, but the service decodes images to RGB only.
    ModelConfig gray = new ModelConfig("gray", 32, 8, 1, 10, 32, 2, 2, 2.0, 4, 4, true, true, 1e-6);
    FixtureModels.publish(store, "models/gray/1", FixtureModels.model(gray, 5));
    ModelLoadException e = assertThrows(ModelLoadException.class,
        () -> registry.load(ModelSource.of("models/gray/1", null), false));
    assertEquals(ModelLoadException.Reason.FORMAT, e.reason());
    assertTrue(e.getMessage().contains("in_chans is 1, only RGB (3) models can be served"), e.getMessage());
    assertEquals(ModelState.FAILED, registry.get("gray").state());
  }

  @Test
  void unloadRemovesTheModelAndItsCache() {
    registry.load(ModelSource.of("models/a/1", "alias"), false);
    LoadedModel m = registry.require("alias", "");
    assertTrue(Files.exists(tmp.resolve("cache/models/a/1/model.safetensors")));
    assertEquals(ModelState.UNLOADING, registry.unload("alias").state());
    assertThrows(ModelNotFoundException.class, () -> registry.require("alias", ""));
    assertTrue(!m.batcher().accepting());
    IllegalStateException closed = assertThrows(IllegalStateException.class,
        () -> m.runner().logits(new float[m.description().imageElements()], 1), "the engine was closed");
    assertTrue(closed.getMessage().contains("closed"), closed.getMessage());
    assertTrue(!Files.exists(tmp.resolve("cache/models/a/1/model.safetensors")));
    assertThrows(ModelNotFoundException.class, () -> registry.unload("alias"));
  }

  @Test
  void modelSourcesDeriveNamesFromModelKeys() {
    assertEquals(new ModelSource("x", "7", "models/x/7"), ModelSource.of("models/x/7/", ""));
    assertEquals(new ModelSource("y", "7", "models/x/7"), ModelSource.parseEntry(" y = models/x/7 "));
    assertThrows(IllegalArgumentException.class, () -> ModelSource.of("runs/r/checkpoints/1", null));
    assertThrows(IllegalArgumentException.class, () -> ModelSource.of("models/../x/1", null));
    assertThrows(IllegalArgumentException.class, () -> ModelSource.of("models/x/1", "bad name"));
  }
}
