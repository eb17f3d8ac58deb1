package dev.vvtq.qat.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.vvtq.artifacts.store.ArtifactStore;
import dev.vvtq.artifacts.store.LocalFolderStore;
import dev.vvtq.qat.checkpoint.CheckpointRepository;
import dev.vvtq.qat.checkpoint.LoadedCheckpoint;
import dev.vvtq.qat.checkpoint.ModelWeights;
import dev.vvtq.qat.data.ImageFolder;
import dev.vvtq.qat.model.QuantDeit;
import dev.vvtq.qat.nn.ForwardContext;
import dev.vvtq.qat.nn.NoGrad;
import dev.vvtq.qat.nn.Param;
import dev.vvtq.qat.softlabel.SoftLabelGenerator;
import dev.vvtq.qat.softlabel.SoftLabelSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
  @TempDir static Path dir;
  static Path data;

  @BeforeAll
  static void makeData() throws Exception {
    data = LearnableImages.dataset(dir.resolve("data"), 3, 16, 6);
  }

  static TrainSpec spec(String runId, int epochs, int wbits, int abits) {
    return TrainSpec.builder().model("deit_pico_patch4_16").data(data.toString()).epochs(epochs).batchSize(8)
        .lr(2e-3).minLr(1e-5).warmupEpochs(0).wbits(wbits).abits(abits).numCrops(2).softLabelType("marginal_renorm")
        .saveCheckpointPath("unused").runId(runId).seed(7).threads(2).build();
  }

  static TrainSpec with(TrainSpec s, boolean reg, String softlabels, String finetune, String resume, String runId) {
    return s.toBuilder().reg(reg).softlabelPath(softlabels).finetune(finetune).resume(resume).runId(runId).build();
  }

  @Test
  void floatTrainingLearnsAndPublishesCheckpoints() throws Exception {
    try (ArtifactStore store = new LocalFolderStore(dir.resolve("store-fp"))) {
      TrainingResult r = new Trainer(spec("fp", 6, -1, -1), store, dir.resolve("work"), null, null).run();
      assertFalse(r.cancelled());
      assertEquals(6, r.history().size());
      assertTrue(r.finalValidation().top1() > 80, "val top-1 " + r.finalValidation().top1());
      assertTrue(store.exists("runs/fp/checkpoints/latest.json"));
      assertTrue(store.exists("runs/fp/checkpoints/best.json"));
      assertTrue(store.exists("runs/fp/metrics.jsonl"));
      RunRecord rec = RunRecord.load(store, "fp").orElseThrow();
      assertEquals(RunStatus.SUCCEEDED, rec.status());
      assertEquals(6, rec.epochsDone());
      assertEquals("per-pass", rec.spec().path("reg_lambda_timing").asText(), "the run records its lambda timing");
      assertEquals(6, new CheckpointRepository(store, "fp").list().size());
    }
  }

  @Test
  void invalidSpecNamesEveryBadField() {
    TrainSpec bad = new TrainSpec("no_such_model", null, 0, 0, -1, 0, 0, 0, 0, 5, 9, true, false, false, 0, null,
        "weird", null, null, "x", "bad id!", null, 0, 2, -1, 0, 0, 0);
    InvalidTrainSpecException e = assertThrows(InvalidTrainSpecException.class, bad::validated);
    for (String field : new String[] {"model", "data", "epochs", "batch-size", "lr", "abits", "num_crops",
        "soft_label_type", "run-id", "drop-path", "limit-train", "min-crop-scale"}) {
      assertTrue(e.violations().stream().anyMatch(v -> v.field().equals(field)), field + " in " + e.getMessage());
    }
  }

  /** QAT with KD multi-crop soft labels and the regulariser: cancel mid-pass, resume, compare to straight. */
  @Test
  void resumedRunEqualsStraightRun() throws Exception {
    Path softlabels = dir.resolve("softlabels");
    Path teacherFile;
    try (ArtifactStore store = new LocalFolderStore(dir.resolve("store-teacher"))) {
      TrainingResult t = new Trainer(spec("teacher", 2, -1, -1), store, dir.resolve("work"), null, null).run();
      LoadedCheckpoint c = CheckpointRepository.resolve(store, t.bestCheckpoint(), dir.resolve("work"));
      teacherFile = c.modelFile();
      try (NDManager m = NDManager.newBaseManager(); QuantDeit teacher = ModelWeights.load(teacherFile, m);
          NoGrad ignored = NoGrad.enter()) {
        new SoftLabelGenerator(SoftLabelSpec.of(4, 2, 3, 16, 16)).generate(
            ImageFolder.split(data, "train"), x -> teacher.forward(x, ForwardContext.eval(x.getManager())),
            "pico teacher", m, softlabels, p -> {});
      }
    }
    TrainSpec qat = with(spec(null, 4, 4, 4), true, softlabels.toString(), teacherFile.toString(), null, null);
    Map<String, Param> straight;
    try (ArtifactStore store = new LocalFolderStore(dir.resolve("store-a"))) {
      TrainingResult a = new Trainer(with(qat, true, softlabels.toString(), teacherFile.toString(), null, "a"),
          store, dir.resolve("work"), null, null).run();
      assertEquals(3, a.history().size(), "one 2-epoch multi-crop pass, then 2 single-crop epochs");
      straight = loadLatest(store, "runs/a");
    }
    try (ArtifactStore store = new LocalFolderStore(dir.resolve("store-b"))) {
      AtomicLong steps = new AtomicLong();
      TrainingResult first = new Trainer(with(qat, true, softlabels.toString(), teacherFile.toString(), null, "b"),
          store, dir.resolve("work"), new TrainingListener() {
            @Override
            public void onStep(StepProgress p) {
              steps.set(p.step());
            }
          }, () -> steps.get() == 5).run();
      assertTrue(first.cancelled());
      assertEquals(RunStatus.CANCELLED, RunRecord.load(store, "b").orElseThrow().status());
      TrainingResult second = new Trainer(with(qat, true, softlabels.toString(), null, "runs/b", null),
          store, dir.resolve("work"), null, null).run();
      assertFalse(second.cancelled());
      assertEquals("b", second.runId());
      Map<String, Param> resumed = loadLatest(store, "runs/b");
      for (String k : straight.keySet()) {
        assertArrayEquals(straight.get(k).values(), resumed.get(k).values(), 1e-6f, k);
      }
      assertEquals(RunStatus.SUCCEEDED, RunRecord.load(store, "b").orElseThrow().status());
    }
    try (var left = Files.list(dir.resolve("work"))) {
      assertEquals(List.of(), left.filter(p -> p.getFileName().toString().startsWith("vvtq-run-")).toList(),
          "each run removes what it fetched (the resumed checkpoint)");
    }
  }

  private static Map<String, Param> loadLatest(ArtifactStore store, String ref) throws Exception {
    LoadedCheckpoint c = CheckpointRepository.resolve(store, ref, dir.resolve("work"));
    NDManager m = NDManager.newBaseManager();
    return ModelWeights.load(c.modelFile(), m).namedParameters();
  }
}
