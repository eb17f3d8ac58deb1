package dev.vvtq.cli;

import dev.vvtq.artifacts.store.ArtifactStore;
import dev.vvtq.qat.jobs.ModelExportJob;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code vvtq export}: a QAT checkpoint to a packed integer model for the int-engine. */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Pack a quantized checkpoint for integer inference (docs/EXPORT-FORMAT.md): 4-bit weights two per byte,",
      "8-bit layers as int8, step sizes and offsets, float norms/embeddings, config and class names; a manifest",
      "with bits per layer and sha256. Writes to --out DIR, or to the store as models/<name>/<version>.",
    })
public final class ExportCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec cmd;

  @Option(names = "--resume", required = true, paramLabel = "CKPT", description = "Quantized checkpoint (folder, file or store key).")
  String checkpoint;

  @Option(names = "--out", paramLabel = "MODELDIR", description = "Local folder to write model.safetensors + manifest.json into.")
  Path out;

  @Option(names = "--name", description = "Model name in the store (models/<name>/<version>); default: the checkpoint's run id.")
  String name;

  @Option(names = "--version", defaultValue = ModelExportJob.DEFAULT_VERSION, description = "Model version in the store. Default: ${DEFAULT-VALUE}.")
  String version;

  @Option(names = "--data", paramLabel = "DIR", description = "ImageFolder root to take class names from (when the checkpoint has none).")
  Path data;

  @Mixin StoreOptions store;

  @Override
  public Integer call() throws Exception {
    // The command line replaces a published version, as it always has; the service asks for it explicitly.
    ModelExportJob.Spec spec = new ModelExportJob.Spec(checkpoint, name, version, out, data, true);
    try (ArtifactStore artifacts = store.open()) {
      ModelExportJob.Result r = ModelExportJob.run(spec, artifacts, null);
      String where = out != null ? r.where() : artifacts.location() + r.where();
      cmd.commandLine().getOut().printf("exported %s %s (%d classes, %,d bytes) to %s%n", r.config().name(),
          r.config().bitsLabel(), r.classNames().size(), r.packedBytes(), where);
    }
    return 0;
  }
}
