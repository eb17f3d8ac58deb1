package dev.vvtq.artifacts.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vvtq.artifacts.store.LocalFolderStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Staging files and scratch folders of killed writers are removed by the next writer in the folder;
 * a live writer's (another process, this one) and recent untagged ones stay.
 */
class LeftOverStagingTest {
  @TempDir Path dir;
  private Process live;
  private long deadPid;

  private static String host() {
    return StagingOwner.TAG.substring(0, StagingOwner.TAG.indexOf('-'));
  }

  @BeforeEach
  void processes() throws Exception {
    // A process that has exited stands for a writer killed with kill -9.
    Process dead = new ProcessBuilder("true").start();
    assertTrue(dead.waitFor(30, TimeUnit.SECONDS));
    deadPid = dead.pid();
    live = new ProcessBuilder("sleep", "60").start();
  }

  @AfterEach
  void stop() throws InterruptedException {
    live.destroy();
    live.waitFor(10, TimeUnit.SECONDS);
  }

  private Path file(String name) throws IOException {
    return Files.writeString(dir.resolve(name), "partial");
  }

  @Test
  void aDeadWritersStagingFilesGoAndLiveOnesStay() throws Exception {
    Path dead = file(".run.json." + host() + "-" + deadPid + ".123.part");
    Path deadModel = file(".model.safetensors." + host() + "-" + deadPid + ".456.part");
    Thread.sleep(20); // the live process must have started before its file was last written
    Path liveOther = file(".run.json." + host() + "-" + live.pid() + ".789.part");
    Path mine = file(".run.json." + StagingOwner.TAG + ".1.part");
    Path foreignHost = file(".run.json.0badc0de-" + deadPid + ".2.part");
    Path oldUntagged = file(".metrics.jsonl.2718281828.part");
    Files.setLastModifiedTime(oldUntagged, FileTime.from(Instant.now().minus(StagingOwner.UNTAGGED_STALE_AFTER).minusSeconds(60)));
    Path newUntagged = file(".metrics.jsonl.3141592653.part");
    Path visible = file("run.json");

    AtomicFiles.write(dir.resolve("run.json"), "{}".getBytes(StandardCharsets.UTF_8));

    assertFalse(Files.exists(dead));
    assertFalse(Files.exists(deadModel));
    assertFalse(Files.exists(oldUntagged));
    for (Path kept : List.of(liveOther, mine, foreignHost, newUntagged, visible)) {
      assertTrue(Files.exists(kept), kept + " must stay");
    }
    assertEquals("{}", Files.readString(visible));
  }

  @Test
  void theStoreSweepsARunsFoldersAndNewStagingFilesCarryTheOwner() throws Exception {
    try (LocalFolderStore store = new LocalFolderStore(dir.resolve("store"))) {
      store.put("runs/r/checkpoints/12/model.safetensors", new byte[] {1});
      Path ckpt = dir.resolve("store/runs/r/checkpoints/12");
      Path leftover = Files.writeString(ckpt.resolve(".model.safetensors." + host() + "-" + deadPid + ".9.part"), "x");
      Path other = Files.writeString(Files.createDirectories(dir.resolve("store/runs/s"))
          .resolve(".run.json." + host() + "-" + deadPid + ".9.part"), "x");
      assertEquals(1, store.removeLeftOverStaging("runs/r/"));
      assertFalse(Files.exists(leftover));
      assertTrue(Files.exists(other), "another run's folder is not swept");
      assertEquals(List.of("runs/r/checkpoints/12/model.safetensors"), store.list("runs/r/"));
    }
    Path staging = AtomicFiles.stagingFileFor(dir.resolve("x.bin"));
    assertTrue(staging.getFileName().toString().startsWith(".x.bin." + StagingOwner.TAG + "."), staging.toString());
  }

  @Test
  void scratchFoldersOfDeadProcessesAreRemovedByTheNextOfTheirPrefix() throws Exception {
    Path dead = Files.createDirectories(dir.resolve("vvtq-ckpt-" + host() + "-" + deadPid + ".77"));
    Files.writeString(dead.resolve("model.safetensors"), "weights");
    Path untagged = Files.createDirectories(dir.resolve("vvtq-ckpt-123456"));
    Path otherPrefix = Files.createDirectories(dir.resolve("vvtq-export-" + host() + "-" + deadPid + ".78"));
    try (ScratchFolder s = ScratchFolder.createIn(dir, "vvtq-ckpt-")) {
      assertTrue(s.path().getFileName().toString().startsWith("vvtq-ckpt-" + StagingOwner.TAG + "."), s.toString());
      assertFalse(Files.exists(dead));
      assertTrue(Files.exists(untagged), "untagged folders are nobody's to judge");
      assertTrue(Files.exists(otherPrefix));
      try (ScratchFolder second = ScratchFolder.createIn(dir, "vvtq-ckpt-")) {
        assertTrue(Files.isDirectory(s.path()), "this process's own scratch folder stays");
      }
    }
  }
}
