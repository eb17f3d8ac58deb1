package dev.vvtq.cli;

import ai.djl.ndarray.NDManager;
import dev.vvtq.artifacts.files.ScratchFolder;
import dev.vvtq.artifacts.manifest.Manifest;
import dev.vvtq.artifacts.store.ArtifactStore;
import dev.vvtq.artifacts.store.LocalFolderStore;
import dev.vvtq.qat.checkpoint.CheckpointRepository;
import dev.vvtq.qat.checkpoint.LoadedCheckpoint;
import dev.vvtq.qat.checkpoint.ModelWeights;
import dev.vvtq.qat.data.ImageFolder;
import dev.vvtq.qat.export.IntegerModelExporter;
import dev.vvtq.qat.model.IntegerModelView;
import dev.vvtq.qat.model.QuantDeit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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

  @Option(names = "--version", defaultValue = "1", description = "Model version in the store. Default: ${DEFAULT-VALUE}.")
  String version;

  @Option(names = "--data", paramLabel = "DIR", description = "ImageFolder root to take class names from (when the checkpoint has none).")
  Path data;

  @Mixin StoreOptions store;

  @Override
  public Integer call() throws Exception {
    try (ArtifactStore artifacts = store.open(); NDManager root = NDManager.newBaseManager();
        ScratchFolder scratch = ScratchFolder.create("vvtq-export-")) {
      LoadedCheckpoint c = CheckpointRepository.resolve(artifacts, checkpoint, scratch.path());
      List<String> classes = data != null ? ImageFolder.split(data, "train").classes()
          : c.classNames().orElseThrow(() -> new IllegalArgumentException(
              checkpoint + " records no class names; give --data DIR to take them from an ImageFolder"));
      try (QuantDeit model = ModelWeights.load(c.modelFile(), root)) {
        IntegerModelView view = IntegerModelView.of(model);
        Manifest m;
        String where;
        if (out != null) {
          Path abs = out.toAbsolutePath();
          Files.createDirectories(abs.getParent());
          try (ArtifactStore local = new LocalFolderStore(abs.getParent())) {
            m = IntegerModelExporter.publish(view, classes, local, abs.getFileName().toString(), checkpoint);
          }
          where = abs.toString();
        } else {
          String n = name != null ? name
              : c.manifest() != null ? c.manifest().field("run_id").map(x -> x.asText()).orElse(model.config().name())
              : model.config().name();
          m = IntegerModelExporter.publish(view, classes, artifacts, IntegerModelExporter.prefix(n, version), checkpoint);
          where = artifacts.location() + IntegerModelExporter.prefix(n, version);
        }
        long bytes = m.files().values().stream().mapToLong(f -> f.bytes()).sum();
        cmd.commandLine().getOut().printf("exported %s %s (%d classes, %,d bytes) to %s%n", model.config().name(),
            model.config().bitsLabel(), classes.size(), bytes, where);
      }
    }
    return 0;
  }
}
