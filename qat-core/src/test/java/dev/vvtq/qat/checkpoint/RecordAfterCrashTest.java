package dev.vvtq.qat.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.vvtq.artifacts.store.ArtifactStore;
import dev.vvtq.artifacts.store.LocalFolderStore;
import dev.vvtq.qat.testing.TinyImageFolder;
import dev.vvtq.qat.train.EpochRecord;
import dev.vvtq.qat.train.RunRecord;
import dev.vvtq.qat.train.RunStatus;
import dev.vvtq.qat.train.TrainSpec;
import dev.vvtq.qat.train.Trainer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A trainer killed after publishing a checkpoint and before rewriting {@code run.json}: the resumed
 * run's record and {@code metrics.jsonl} have every pass a checkpoint holds, as an uninterrupted run's do.
 */
class RecordAfterCrashTest {
  @TempDir Path dir;

  /** Stands for the JVM dying: not an exception the trainer handles, and nothing is written after it. */
  static final class Killed extends Error {
    Killed() {
      super("killed");
    }
  }

  /** Lets writes through until the {@code n}-th write of {@code run.json}, then dies (kill -9). */
  static final class DyingStore implements ArtifactStore {
    private final ArtifactStore inner;
    private final String dieAt;
    private int left;
    private boolean dead;

    DyingStore(ArtifactStore inner, String dieAtKey, int nth) {
      this.inner = inner;
      this.dieAt = dieAtKey;
      this.left = nth;
    }

    private void write(String key) {
      if (dead || (key.equals(dieAt) && --left == 0)) {
        dead = true;
        throw new Killed();
      }
    }

    @Override
    public String location() {
      return inner.location();
    }

    @Override
    public void put(String key, Path file) throws IOException {
      write(key);
      inner.put(key, file);
    }

    @Override
    public void put(String key, byte[] content) throws IOException {
      write(key);
      inner.put(key, content);
    }

    @Override
    public byte[] readBytes(String key) throws IOException {
      return inner.readBytes(key);
    }

    @Override
    public InputStream open(String key) throws IOException {
      return inner.open(key);
    }

    @Override
    public void download(String key, Path target) throws IOException {
      inner.download(key, target);
    }

    @Override
    public boolean exists(String key) throws IOException {
      return inner.exists(key);
    }

    @Override
    public List<String> list(String prefix) throws IOException {
      return inner.list(prefix);
    }

    @Override
    public void delete(String key) throws IOException {
      write(key);
      inner.delete(key);
    }

    @Override
    public void close() throws IOException {
      inner.close();
    }
  }

  private TrainSpec spec(Path data, String runId, String resume) {
    return TrainSpec.builder().model("deit_pico_patch4_16").data(data.toString()).epochs(3).batchSize(8)
        .lr(2e-3).minLr(1e-5).warmupEpochs(0).saveCheckpointPath("unused").runId(runId).resume(resume)
        .seed(7).threads(1).build();
  }

  @Test
  void aPassWhoseCheckpointWasPublishedIsNeverLostFromTheRecord() throws Exception {
    Path data = TinyImageFolder.write(dir.resolve("data"), 2, 8, 4);
    try (ArtifactStore store = new LocalFolderStore(dir.resolve("store"))) {
      new Trainer(spec(data, "straight", null), store, dir.resolve("work"), null, null).run();
      // run.json writes: 1 at start, then one per pass; the 3rd is the one after epoch 1's checkpoint.
      ArtifactStore dying = new DyingStore(store, RunRecord.key("k"), 3);
      assertThrows(Killed.class, () -> new Trainer(spec(data, "k", null), dying, dir.resolve("work"), null, null).run());
      assertEquals(List.of(0), epochs(RunRecord.load(store, "k").orElseThrow().history()), "the window the test is about");

      new Trainer(spec(data, "k", "runs/k"), store, dir.resolve("work"), null, null).run();

      RunRecord straight = RunRecord.load(store, "straight").orElseThrow();
      RunRecord resumed = RunRecord.load(store, "k").orElseThrow();
      assertEquals(RunStatus.SUCCEEDED, resumed.status());
      assertEquals(epochs(straight.history()), epochs(resumed.history()));
      for (int i = 0; i < straight.history().size(); i++) {
        EpochRecord a = straight.history().get(i);
        EpochRecord b = resumed.history().get(i);
        assertEquals(a.step(), b.step());
        assertEquals(a.valTop1(), b.valTop1(), 1e-9, "pass " + i);
        assertEquals(a.trainLoss(), b.trainLoss(), 1e-5, "pass " + i);
        assertEquals(a.checkpoint().replace("straight", "k"), b.checkpoint());
      }
      String metrics = new String(store.readBytes("runs/k/metrics.jsonl"), StandardCharsets.UTF_8);
      assertEquals(3, metrics.lines().count(), metrics);
      assertEquals("runs/k/checkpoints/" + straight.history().get(2).step(), resumed.latestCheckpoint());
      try (var files = Files.walk(dir.resolve("store/runs/k"))) {
        assertEquals(List.of(), files.filter(p -> p.getFileName().toString().endsWith(".part")).toList());
      }
    }
  }

  private static List<Integer> epochs(List<EpochRecord> history) {
    return history.stream().map(EpochRecord::epoch).toList();
  }
}
