package dev.vvtq.qat.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.vvtq.artifacts.errors.ConflictException;
import dev.vvtq.artifacts.errors.UnsuitableArtifactException;
import dev.vvtq.artifacts.manifest.Manifest;
import dev.vvtq.artifacts.store.ArtifactLayout;
import dev.vvtq.artifacts.store.LocalFolderStore;
import dev.vvtq.qat.checkpoint.CheckpointRepository;
import dev.vvtq.qat.checkpoint.TrainingState;
import dev.vvtq.qat.model.QuantDeit;
import dev.vvtq.qat.model.QuantizerInit;
import dev.vvtq.qat.model.TestConfigs;
import dev.vvtq.qat.testing.TinyImageFolder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The library's use cases (label, export, evaluate) on a tiny model and image folder, as every adapter calls them. */
class UseCaseJobsTest {
  private static final List<String> CLASSES = IntStream.range(0, 10).mapToObj(i -> "class" + i).toList();

  @TempDir Path dir;
  Path data;
  LocalFolderStore store;

  @BeforeEach
  void setUp() throws Exception {
    data = TinyImageFolder.write(dir.resolve("data"), 10, 2, 1);
    store = new LocalFolderStore(dir.resolve("store"));
  }

  /** Publishes a seeded model as runs/<run>/checkpoints/1; class names only when {@code withClasses}. */
  private String checkpoint(String run, int bits, boolean withClasses) throws Exception {
    try (NDManager m = NDManager.newBaseManager(); QuantDeit model = QuantDeit.create(TestConfigs.tiny(bits, bits), m, 3)) {
      if (bits > 0) {
        QuantizerInit.initWeightSteps(model);
        QuantizerInit.initActivationSteps(model, m.randomNormal(new Shape(2, 3, 16, 16)));
      }
      Map<String, Object> fields = withClasses ? Map.of("class_names", CLASSES) : Map.of();
      new CheckpointRepository(store, run).save(model, null, new TrainingState(1, 0, 1, 0, 1), fields, true);
    }
    return ArtifactLayout.bestCheckpointRef(run);
  }

  @Test
  void exportPublishesUnderTheRunIdAndRefusesToOverwriteUnlessAsked() throws Exception {
    String ref = checkpoint("w4", 4, true);
    ModelExportJob.Result r = ModelExportJob.run(ModelExportJob.Spec.toStore(ref, null, null, false), store, dir);
    assertEquals("models/w4/1", r.where());
    assertTrue(store.exists("models/w4/1/" + Manifest.FILE_NAME));
    assertEquals(CLASSES, r.classNames());
    assertTrue(r.packedBytes() > 0 && r.packedBytes() < r.fp32Bytes(), r.packedBytes() + " vs " + r.fp32Bytes());
    assertThrows(ConflictException.class,
        () -> ModelExportJob.run(ModelExportJob.Spec.toStore(ref, null, null, false), store, dir));
    ModelExportJob.run(ModelExportJob.Spec.toStore(ref, null, null, true), store, dir);
    assertScratchRemoved();
  }

  @Test
  void exportRefusesFloatCheckpointsAndCheckpointsWithoutClassNames() throws Exception {
    String fp = checkpoint("fp", -1, true);
    UnsuitableArtifactException e = assertThrows(UnsuitableArtifactException.class,
        () -> ModelExportJob.run(ModelExportJob.Spec.toStore(fp, "x", null, false), store, dir));
    assertTrue(e.getMessage().contains("cannot be exported"), e.getMessage());
    String bare = checkpoint("bare", 4, false);
    e = assertThrows(UnsuitableArtifactException.class,
        () -> ModelExportJob.run(ModelExportJob.Spec.toStore(bare, "y", null, false), store, dir));
    assertTrue(e.getMessage().contains("records no class names"), e.getMessage());
    // An ImageFolder supplies them.
    ModelExportJob.Result r = ModelExportJob.run(new ModelExportJob.Spec(bare, "y", "2", null, data, false), store, dir);
    assertEquals("models/y/2", r.where());
    assertFalse(store.exists("models/x/1/" + Manifest.FILE_NAME));
    assertScratchRemoved();
  }

  @Test
  void softLabelsArePublishedWithoutAStoreManifestInsideAndCancelKeepsShards() throws Exception {
    String teacher = checkpoint("teacher", -1, true);
    Path out = dir.resolve("labels");
    SoftLabelJob.Spec spec = new SoftLabelJob.Spec(teacher, "test_tiny", data, out, 2, 3, 0, 0, 8, 0.5, "t");
    // A folder fetched back from the store holds the store's own manifest: it must not be published as a file.
    Files.createDirectories(out);
    Files.writeString(out.resolve(Manifest.FILE_NAME), "{}");
    AtomicInteger calls = new AtomicInteger();
    SoftLabelJob.Result r = SoftLabelJob.run(spec, store, dir, p -> calls.incrementAndGet(), null);
    assertEquals(20, r.manifest().imageCount());
    assertEquals("softlabels/t", r.published());
    assertTrue(calls.get() > 0);
    Manifest m = store.readManifest("softlabels/t");
    assertFalse(m.files().containsKey(Manifest.FILE_NAME), m.files().keySet().toString());
    assertTrue(r.teacherDescription().contains("test_tiny"), r.teacherDescription());

    SoftLabelJob.Spec cancelled = new SoftLabelJob.Spec(teacher, null, data, dir.resolve("labels2"), 2, 3, 0, 0, 8, 0.5,
        "t2");
    // Cancelled once the (only) shard is written: the shard stays for the rerun, nothing is published.
    AtomicBoolean shardWritten = new AtomicBoolean();
    assertThrows(JobCancelledException.class, () -> SoftLabelJob.run(cancelled, store, dir,
        p -> shardWritten.set(p.shardsDone() == p.shards()), shardWritten::get));
    assertFalse(store.exists("softlabels/t2/" + Manifest.FILE_NAME));
    try (Stream<Path> kept = Files.list(dir.resolve("labels2"))) {
      assertTrue(kept.anyMatch(f -> f.getFileName().toString().endsWith(".safetensors")), "the finished shard is kept");
    }

    SoftLabelJob.Spec wrongModel = new SoftLabelJob.Spec(teacher, "deit_tiny_patch16_224", data, dir.resolve("l3"), 2, 3,
        0, 0, 8, 0.5, null);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SoftLabelJob.run(wrongModel, store, dir, null, null));
    assertTrue(e.getMessage().contains("does not match"), e.getMessage());
    assertScratchRemoved();
  }

  @Test
  void evaluationScoresEverySplitImageAndChecksTheClassCount() throws Exception {
    String ref = checkpoint("fp", -1, true);
    AtomicInteger total = new AtomicInteger();
    CheckpointEvaluation.Result r = CheckpointEvaluation.run(new CheckpointEvaluation.Spec(ref, data, "val", 0, 4, 0),
        store, dir, c -> assertEquals("test_tiny", c.config().name()), (acc, images) -> total.set(images));
    assertEquals(10, r.result().images());
    assertEquals(10, total.get());
    assertEquals(data.resolve("val"), r.splitRoot());
    assertFalse(r.modelSha256().isEmpty());

    Path six = TinyImageFolder.write(dir.resolve("six"), 6, 1, 1);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CheckpointEvaluation.run(
        new CheckpointEvaluation.Spec(ref, six, "val", 0, 4, 0), store, dir, null, null));
    assertTrue(e.getMessage().contains("has 10 classes but"), e.getMessage());
    assertScratchRemoved();
  }

  /** Every job deletes what it fetched. */
  private void assertScratchRemoved() throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      List<String> left = s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("ckpt-")).toList();
      assertTrue(left.isEmpty(), "left behind: " + left);
    }
  }
}
