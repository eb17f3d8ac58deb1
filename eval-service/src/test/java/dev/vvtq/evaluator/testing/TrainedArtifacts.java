package dev.vvtq.evaluator.testing;

import ai.djl.ndarray.NDManager;
import dev.vvtq.artifacts.files.ScratchFolder;
import dev.vvtq.artifacts.store.ArtifactStore;
import dev.vvtq.artifacts.store.LocalFolderStore;
import dev.vvtq.qat.checkpoint.CheckpointRepository;
import dev.vvtq.qat.checkpoint.LoadedCheckpoint;
import dev.vvtq.qat.checkpoint.ModelWeights;
import dev.vvtq.qat.export.IntegerModelExporter;
import dev.vvtq.qat.model.IntegerModelView;
import dev.vvtq.qat.model.QuantDeit;
import dev.vvtq.qat.train.TrainSpec;
import dev.vvtq.qat.train.Trainer;
import java.nio.file.Path;
import java.util.List;

/**
 * Real artifacts for the tests, made once per JVM with the library in the test's own class loader
 * (the app's, so DJL's natives are loaded once): a float run {@code fp}, a W4A4 run {@code q}
 * fine-tuned from it, and {@code q}'s best checkpoint exported as {@code models/q/1}.
 */
public final class TrainedArtifacts {
  public static final String FLOAT_RUN = "runs/fp@best";
  public static final String QUANT_RUN = "runs/q@best";
  public static final String MODEL = "models/q/1";

  private static boolean made;

  private TrainedArtifacts() {}

  public static synchronized void ensure(String storeRoot, String data) throws Exception {
    if (made) {
      return;
    }
    try (ScratchFolder scratch = ScratchFolder.create("vvtq-eval-fixtures");
        ArtifactStore store = new LocalFolderStore(Path.of(storeRoot))) {
      Path work = scratch.path();
      TrainSpec base = TrainSpec.builder().model("deit_pico_patch4_16").data(data).epochs(4).batchSize(8).lr(2e-3)
          .minLr(1e-5).warmupEpochs(0).seed(7).threads(1).saveCheckpointPath(storeRoot).build();
      new Trainer(base.toBuilder().runId("fp").build(), store, work, null, null).run();
      new Trainer(base.toBuilder().runId("q").epochs(2).wbits(4).abits(4).finetune(FLOAT_RUN).lr(1e-3).build(), store, work,
          null, null).run();
      try (NDManager m = NDManager.newBaseManager()) {
        LoadedCheckpoint c = CheckpointRepository.resolve(store, QUANT_RUN, work);
        try (QuantDeit model = ModelWeights.load(c.modelFile(), m)) {
          IntegerModelExporter.publish(IntegerModelView.of(model), List.of("class0", "class1", "class2"), store, MODEL, QUANT_RUN);
        }
      }
    }
    made = true;
  }
}
