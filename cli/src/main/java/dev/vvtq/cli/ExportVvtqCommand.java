package dev.vvtq.cli;

import ai.djl.ndarray.NDManager;
import dev.vvtq.artifacts.files.ScratchFolder;
import dev.vvtq.artifacts.store.ArtifactStore;
import dev.vvtq.qat.checkpoint.CheckpointRepository;
import dev.vvtq.qat.checkpoint.LoadedCheckpoint;
import dev.vvtq.qat.checkpoint.ModelWeights;
import dev.vvtq.qat.checkpoint.TrainingState;
import dev.vvtq.qat.model.QuantDeit;
import dev.vvtq.qat.reference.ReferenceExport;
import dev.vvtq.qat.reference.ReferenceStateDict;
import dev.vvtq.qat.reference.ReferenceVectors;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code vvtq export-vvtq}: a quantized checkpoint as one the reference's train_VVTQ.py --resume loads. */
@Command(
    name = "export-vvtq",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Write a quantized checkpoint in the reference implementation's format (torch.save zip, what its",
      "save_checkpoint writes), so that `python train_VVTQ.py --model <model>_quant --wbits N --abits N",
      "[--use-offset] --resume FILE --evaluate` scores it with the reference's own code. The optimizer",
      "entry has the reference's parameter groups but no moments.",
    })
public final class ExportVvtqCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec cmd;

  @Option(names = "--resume", required = true, paramLabel = "CKPT", description = "Quantized checkpoint (folder, file or store key).")
  String checkpoint;

  @Option(names = "--out", required = true, paramLabel = "FILE.pth", description = "File to write.")
  Path out;

  @Option(names = "--no-ddp-prefix",
      description = "Keys without the 'module.' prefix (for a reference model that is not wrapped in DDP/DataParallel).")
  boolean noPrefix;

  @Mixin StoreOptions store;

  @Override
  public Integer call() throws Exception {
    try (ArtifactStore artifacts = store.open(); NDManager root = NDManager.newBaseManager();
        ScratchFolder scratch = ScratchFolder.create("vvtq-export-")) {
      LoadedCheckpoint c = CheckpointRepository.resolve(artifacts, checkpoint, scratch.path());
      Map<String, float[]> vectors = c.manifest() == null ? null
          : c.manifest().field(ReferenceVectors.FIELD).map(ReferenceVectors::fromJson).orElse(null);
      TrainingState s = c.state().orElse(TrainingState.start());
      ReferenceExport.Options d = ReferenceExport.Options.defaults();
      ReferenceExport.Options o = new ReferenceExport.Options(noPrefix ? "" : ReferenceStateDict.DDP_PREFIX, s.epoch(),
          Math.max(0, s.bestTop1()), d.lr(), d.weightDecay());
      try (QuantDeit m = ModelWeights.load(c.modelFile(), root)) {
        ReferenceExport.write(m, vectors, o, out);
        cmd.commandLine().getOut().printf("wrote %s %s%s as the reference's %s_quant checkpoint to %s%n",
            m.config().name(), m.config().bitsLabel(), m.config().useOffset() ? " (--use-offset)" : "",
            m.config().name(), out);
      }
    }
    return 0;
  }
}
