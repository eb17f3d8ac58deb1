package dev.vvtq.cli;

import ai.djl.ndarray.NDManager;
import dev.vvtq.qat.checkpoint.ModelWeights;
import dev.vvtq.qat.checkpoint.TimmCheckpoint;
import dev.vvtq.qat.model.DeitConfig;
import dev.vvtq.qat.model.DeitModels;
import dev.vvtq.qat.model.QuantDeit;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vvtq import-timm}: a timm DeiT safetensors file to a vvtq float checkpoint. */
@Command(
    name = "import-timm",
    mixinStandardHelpOptions = true,
    description = {
      "Convert a timm DeiT safetensors file (e.g. deit_tiny_patch16_224) into a vvtq checkpoint file:",
      "attn.qkv is split into attn.proj_q/k/v; every tensor is checked by name and shape, and a mismatch",
      "lists the missing, unexpected and mis-shaped tensors. Use the result with --finetune.",
    })
public final class ImportTimmCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec cmd;

  @Option(names = "--model", required = true, description = "Architecture of the file (see `vvtq models`).")
  String model;

  @Option(names = "--num-classes", description = "Classifier size of the file (default: the architecture's).")
  Integer numClasses;

  @Option(names = "--file", required = true, paramLabel = "TIMM.safetensors", description = "The timm weights.")
  Path file;

  @Option(names = "--out", required = true, paramLabel = "FILE", description = "Checkpoint file to write (model.safetensors).")
  Path out;

  @Override
  public Integer call() throws Exception {
    DeitConfig c = DeitModels.get(model, -1, -1);
    if (numClasses != null) {
      c = c.withNumClasses(numClasses);
    }
    try (NDManager root = NDManager.newBaseManager(); QuantDeit m = QuantDeit.create(c, root, 0)) {
      ModelWeights.LoadReport report = TimmCheckpoint.importInto(m, file);
      ModelWeights.save(m, out);
      cmd.commandLine().getOut().println("imported " + report.loaded().size() + " tensors of " + file + " into " + out);
    }
    return 0;
  }
}
