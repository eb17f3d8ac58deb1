package dev.vvtq.inference.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vvtq.artifacts.store.LocalFolderStore;
import dev.vvtq.inference.batching.BatchingOptions;
import dev.vvtq.inference.testing.ClosedFormRunner;
import dev.vvtq.inference.testing.ExportedModelFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelRegistryTest {
  @TempDir
  Path tmp;

  private LocalFolderStore store;
  private ModelRegistry registry;

  @BeforeEach
  void setUp() throws Exception {
    store = new LocalFolderStore(tmp.resolve("store"));
    ExportedModelFixture.publish(store, "models/a/1", ExportedModelFixture.Spec.tiny(1));
    ExportedModelFixture.publish(store, "models/a/2", ExportedModelFixture.Spec.tiny(2));
    registry = new ModelRegistry(new ModelLoader(store, tmp.resolve("cache"), (dir, d) -> new ClosedFormRunner(d, 0)),
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
    LoadedModel m = registry.require("a", "");
    float[] out = m.batcher().reserve().submit(new float[m.description().imageElements()], 1, Long.MAX_VALUE, () -> false)
        .get(5, TimeUnit.SECONDS).outputs();
    assertEquals(10, out.length);
  }

  @Test
  void replacingKeepsServingAndSwapsTheVersion() {
    registry.load(ModelSource.of("models/a/1", null), false);
    LoadedModel first = registry.require("a", "1");
    ModelConflictException e = assertThrows(ModelConflictException.class,
        () -> registry.load(ModelSource.of("models/a/2", null), false));
    assertEquals(ModelConflictException.Kind.ALREADY_LOADED, e.kind());
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
  void failingWarmUpIsAnEngineFailure() {
    ModelRegistry broken = new ModelRegistry(new ModelLoader(store, tmp.resolve("cache2"), (dir, d) -> {
      throw new IllegalStateException("no kernels for this CPU");
    }), name -> new BatchingOptions(1, 0, 1), Duration.ofSeconds(1), RegistryObserver.NONE);
    ModelLoadException e = assertThrows(ModelLoadException.class, () -> broken.load(ModelSource.of("models/a/1", null), false));
    assertEquals(ModelLoadException.Reason.ENGINE, e.reason());
    assertTrue(e.getMessage().contains("no kernels for this CPU"), e.getMessage());
    broken.close();
  }

  @Test
  void unloadRemovesTheModelAndItsCache() {
    registry.load(ModelSource.of("models/a/1", "alias"), false);
    LoadedModel m = registry.require("alias", "");
    assertTrue(Files.exists(tmp.resolve("cache/models/a/1/model.safetensors")));
    assertEquals(ModelState.UNLOADING, registry.unload("alias").state());
    assertThrows(ModelNotFoundException.class, () -> registry.require("alias", ""));
    assertTrue(!m.batcher().accepting());
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
