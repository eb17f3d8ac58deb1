package dev.vvtq.qat.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.vvtq.artifacts.store.ArtifactStore;
import dev.vvtq.artifacts.store.LocalFolderStore;
import dev.vvtq.qat.data.ImageFolder;
import dev.vvtq.qat.loss.RegularizerSchedule;
import dev.vvtq.qat.model.DeitModels;
import dev.vvtq.qat.model.QuantDeit;
import dev.vvtq.qat.nn.ForwardContext;
import dev.vvtq.qat.nn.NoGrad;
import dev.vvtq.qat.softlabel.SoftLabelGenerator;
import dev.vvtq.qat.softlabel.SoftLabelSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training with --reg reads lambda as the reference does: at the first epoch of each multi-crop
 * pass, for every step of the pass (a pass of epochs 2-3 of 8 trains with lambda(2) = 0 throughout,
 * where a per-epoch reading would switch the regulariser on half-way).
 */
class RegularizerTimingTrainingTest {
  @TempDir Path dir;

  @Test
  void everyStepOfAMultiCropPassUsesThePassesFirstEpochsLambda() throws Exception {
    Path data = LearnableImages.dataset(dir.resolve("data"), 3, 4, 2);
    Path softlabels = dir.resolve("softlabels");
    try (NDManager m = NDManager.newBaseManager();
        QuantDeit teacher = QuantDeit.create(DeitModels.get("deit_pico_patch4_16", -1, -1).withNumClasses(3), m, 3);
        NoGrad ignored = NoGrad.enter()) {
      new SoftLabelGenerator(SoftLabelSpec.of(2, 2, 3, 16, 16)).generate(ImageFolder.split(data, "train"),
          x -> teacher.forward(x, ForwardContext.eval(x.getManager())), "random teacher", m, softlabels, p -> {});
    }
    TrainSpec spec = TrainSpec.builder().model("deit_pico_patch4_16").data(data.toString()).epochs(8).batchSize(4)
        .lr(1e-3).minLr(0).warmupEpochs(0).wbits(4).abits(4).reg(true).numCrops(2).softlabelPath(softlabels.toString())
        .softLabelType("marginal_renorm").saveCheckpointPath("unused").runId("timing").seed(3).threads(2).build();
    List<StepProgress> steps = new ArrayList<>();
    try (ArtifactStore store = new LocalFolderStore(dir.resolve("store"))) {
      new Trainer(spec, store, dir.resolve("work"), new TrainingListener() {
        @Override
        public void onStep(StepProgress p) {
          steps.add(p);
        }
      }, null).run();
    }
    RegularizerSchedule schedule = new RegularizerSchedule(8);
    // Passes: [0,1] [2,3] [4,5] multi-crop, then 6 and 7 single-crop.
    int[] passStart = {0, 0, 2, 2, 4, 4, 6, 7};
    assertTrue(steps.stream().anyMatch(p -> p.epoch() == 3), "the pass over epochs 2-3 reports steps in epoch 3");
    for (StepProgress p : steps) {
      assertEquals(schedule.lambda(passStart[p.epoch()]), p.lambda(), 1e-12, "lambda at a step of epoch " + p.epoch());
    }
    assertTrue(schedule.lambda(3) > 0, "a per-epoch reading would differ inside the pass");
  }
}
