package dev.vvtq.qat.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vvtq.artifacts.manifest.ArtifactKinds;
import dev.vvtq.artifacts.store.ArtifactStore;
import dev.vvtq.artifacts.store.LocalFolderStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointKeysTest {
  @TempDir Path dir;

  @Test
  void resolvesPointersAndStepKeysToPublishedFolders() throws Exception {
    try (ArtifactStore store = new LocalFolderStore(dir.resolve("store"))) {
      Path f = Files.writeString(dir.resolve("model.safetensors"), "x");
      store.publish("runs/r1/checkpoints/6", ArtifactKinds.CHECKPOINT, Map.of("model.safetensors", f), Map.of());
      store.publish("runs/r1/checkpoints/12", ArtifactKinds.CHECKPOINT, Map.of("model.safetensors", f), Map.of());
      store.put("runs/r1/checkpoints/best.json", "{\"prefix\":\"runs/r1/checkpoints/6\"}".getBytes(StandardCharsets.UTF_8));
      store.put("runs/r1/checkpoints/latest.json", "{\"prefix\":\"runs/r1/checkpoints/12\"}".getBytes(StandardCharsets.UTF_8));

      assertEquals(Optional.of("runs/r1/checkpoints/12"), CheckpointKeys.resolve(store, "runs/r1"));
      assertEquals(Optional.of("runs/r1/checkpoints/12"), CheckpointKeys.resolve(store, "runs/r1/checkpoints/latest"));
      assertEquals(Optional.of("runs/r1/checkpoints/6"), CheckpointKeys.resolve(store, "runs/r1@best"));
      assertEquals(Optional.of("runs/r1/checkpoints/6"), CheckpointKeys.resolve(store, "runs/r1/checkpoints/best"));
      assertEquals(Optional.of("runs/r1/checkpoints/6"), CheckpointKeys.resolve(store, "runs/r1/checkpoints/6"));
      assertEquals(Optional.empty(), CheckpointKeys.resolve(store, "runs/r1/checkpoints/7"));
      assertEquals(Optional.empty(), CheckpointKeys.resolve(store, "runs/r2"));
      assertEquals(Optional.empty(), CheckpointKeys.resolve(store, "runs/r2@best"));
    }
  }

  @Test
  void recognisesOnlyStoreKeyForms() {
    assertTrue(CheckpointKeys.isStoreRef("runs/a.b-c_1@best"));
    assertEquals(Optional.of("abc"), CheckpointKeys.runId("runs/abc/checkpoints/3"));
    assertEquals("runs/abc@best", CheckpointKeys.canonical("runs/abc/checkpoints/best"));
    assertEquals("runs/abc", CheckpointKeys.canonical("runs/abc/checkpoints/latest/"));
    assertEquals("runs/abc", CheckpointKeys.canonical("runs/abc@latest"));
    assertEquals("runs/abc/checkpoints/12", CheckpointKeys.canonical("runs/abc/checkpoints/12"));
    assertEquals("/tmp/ckpt", CheckpointKeys.canonical("/tmp/ckpt"));
    assertFalse(CheckpointKeys.isStoreRef("/tmp/ckpt"));
    assertFalse(CheckpointKeys.isStoreRef("models/x/1"));
    assertThrows(IllegalArgumentException.class, () -> CheckpointKeys.resolve(null, "models/x/1"));
  }
}
