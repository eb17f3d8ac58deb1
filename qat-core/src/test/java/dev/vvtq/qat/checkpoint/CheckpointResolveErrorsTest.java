package dev.vvtq.qat.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vvtq.artifacts.errors.ErrorKind;
import dev.vvtq.artifacts.errors.IntegrityException;
import dev.vvtq.artifacts.errors.InvalidInputException;
import dev.vvtq.artifacts.errors.NotFoundException;
import dev.vvtq.artifacts.manifest.Manifest;
import dev.vvtq.artifacts.manifest.Sha256;
import dev.vvtq.artifacts.store.ArtifactStore;
import dev.vvtq.artifacts.store.LocalFolderStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Resolving a checkpoint reference fails with a typed error each service maps the same way. */
class CheckpointResolveErrorsTest {
  @TempDir Path dir;

  @Test
  void missingRunsAndCheckpointsAreNotFound() throws Exception {
    try (ArtifactStore store = new LocalFolderStore(dir.resolve("store"))) {
      NotFoundException noRun = assertThrows(NotFoundException.class,
          () -> CheckpointRepository.resolve(store, "runs/ghost", dir.resolve("work")));
      assertEquals(ErrorKind.NOT_FOUND, noRun.kind());
      assertTrue(noRun.getMessage().contains("has no checkpoint yet"), noRun.getMessage());
      NotFoundException noKey = assertThrows(NotFoundException.class,
          () -> CheckpointRepository.resolve(store, "runs/ghost/checkpoints/3", dir.resolve("work")));
      assertTrue(noKey.getMessage().startsWith("no checkpoint at 'runs/ghost/checkpoints/3'"), noKey.getMessage());
    }
  }

  @Test
  void aFolderWithoutManifestIsInvalidAndAChangedFileIsAnIntegrityError() throws Exception {
    Path folder = Files.createDirectories(dir.resolve("ckpt"));
    Path model = Files.writeString(folder.resolve("model.safetensors"), "weights");
    try (ArtifactStore store = new LocalFolderStore(dir.resolve("store"))) {
      assertThrows(InvalidInputException.class, () -> CheckpointRepository.resolve(store, folder.toString(), dir));
      Manifest m = Manifest.create("checkpoint", Map.of("model.safetensors", Sha256.entryOf(model)), Map.of());
      Files.write(folder.resolve(Manifest.FILE_NAME), m.toJson());
      Files.writeString(model, "changed");
      IntegrityException e = assertThrows(IntegrityException.class,
          () -> CheckpointRepository.resolve(store, folder.toString(), dir));
      assertEquals(ErrorKind.INTEGRITY, e.kind());
    }
  }
}
