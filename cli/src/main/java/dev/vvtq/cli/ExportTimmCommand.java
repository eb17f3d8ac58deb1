package dev.vvtq.cli;

import ai.djl.ndarray.NDManager;
import dev.vvtq.artifacts.files.ScratchFolder;
import dev.vvtq.artifacts.store.ArtifactStore;
import dev.vvtq.qat.checkpoint.CheckpointRepository;
import dev.vvtq.qat.checkpoint.LoadedCheckpoint;
import dev.vvtq.qat.checkpoint.ModelWeights;
import dev.vvtq.qat.checkpoint.TimmCheckpoint;
import dev.vvtq.qat.model.QuantDeit;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code vvtq export-timm}: a checkpoint's float weights under timm's names. */
@Command(
    name = "export-timm",
    mixinStandardHelpOptions = true,
    description = "Write a checkpoint's float (latent) weights as a timm DeiT safetensors file (q/k/v merged into qkv),"
        + " loadable with safetensors + timm. Step sizes are not part of timm's format and are left out.")
public final class ExportTimmCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec cmd;

  @Option(names = "--resume", required = true, paramLabel = "CKPT", description = "Checkpoint (folder, file or store key).")
  String checkpoint;

  @Option(names = "--out", required = true, paramLabel = "FILE", description = "timm safetensors file to write.")
  Path out;

  @Mixin StoreOptions store;

  @Override
  public Integer call() throws Exception {
    try (ArtifactStore artifacts = store.open(); NDManager root = NDManager.newBaseManager();
        ScratchFolder scratch = ScratchFolder.create("vvtq-export-")) {
      LoadedCheckpoint c = CheckpointRepository.resolve(artifacts, checkpoint, scratch.path());
      try (QuantDeit m = ModelWeights.load(c.modelFile(), root)) {
        TimmCheckpoint.export(m, out);
      }
    }
    cmd.commandLine().getOut().println("wrote " + out);
    return 0;
  }
}
