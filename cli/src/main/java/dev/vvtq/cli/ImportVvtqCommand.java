package dev.vvtq.cli;

import ai.djl.ndarray.NDManager;
import dev.vvtq.artifacts.store.ArtifactStore;
import dev.vvtq.qat.checkpoint.CheckpointRepository;
import dev.vvtq.qat.checkpoint.TrainingState;
import dev.vvtq.qat.data.ImageFolder;
import dev.vvtq.qat.model.DeitConfig;
import dev.vvtq.qat.model.DeitModels;
import dev.vvtq.qat.model.QuantDeit;
import dev.vvtq.qat.reference.ReferenceImport;
import dev.vvtq.qat.reference.ReferenceStateDict;
import dev.vvtq.qat.reference.ReferenceVectors;
import dev.vvtq.qat.torch.TorchCheckpointReader;
import dev.vvtq.qat.torch.TorchDtype;
import dev.vvtq.qat.torch.TorchTensor;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code vvtq import-vvtq}: a checkpoint of the reference's train_VVTQ.py into the store as a run's checkpoint. */
@Command(
    name = "import-vvtq",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Import a checkpoint of the reference implementation (HuangOwen/VVTQ train_VVTQ.py, model",
      "deit_*_patch16_224_quant; torch.save format) as runs/<run-id>/checkpoints/0 of the store, so that",
      "vvtq evaluate / export / infer take runs/<run-id>@best. Bits, --use-offset and the class count come",
      "from the file; the pickle is read with an allow-list (a file naming anything but torch tensors,",
      "storages and OrderedDict is refused, never run). Every key is checked by name and shape; the",
      "optimizer state is ignored.",
    })
public final class ImportVvtqCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec cmd;

  @Option(names = "--file", required = true, paramLabel = "CKPT.pth", description = "The reference's checkpoint.")
  Path file;

  @Option(names = "--model", required = true,
      description = "Our architecture of the file, e.g. deit_tiny_patch16_224 for deit_tiny_patch16_224_quant.")
  String model;

  @Option(names = "--run-id", required = true, description = "Run id to store the checkpoint under (must be new).")
  String runId;

  @Option(names = "--data", paramLabel = "DIR",
      description = "ImageFolder root whose val/ class folders name the classes (recorded for export and infer).")
  Path data;

  @Mixin StoreOptions store;

  @Override
  public Integer call() throws Exception {
    String archName = model.endsWith("_quant") ? model.substring(0, model.length() - "_quant".length()) : model;
    DeitConfig arch = DeitModels.get(archName, -1, -1);
    try (ArtifactStore artifacts = store.open(); NDManager root = NDManager.newBaseManager()) {
      CheckpointRepository repo = new CheckpointRepository(artifacts, runId);
      if (artifacts.exists(repo.checkpointsPrefix() + "/latest.json")) {
        throw new IllegalArgumentException("run '" + runId + "' already has checkpoints in " + artifacts.location()
            + "; pick another --run-id");
      }
      Object contents = TorchCheckpointReader.read(file);
      ReferenceImport.Imported imp = ReferenceImport.of(
          ReferenceStateDict.of(contents, file.toString()), arch, file.toString(), root);
      try (QuantDeit m = imp.model()) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("imported_from", file.toAbsolutePath().toString());
        fields.put("imported_format", "vvtq-reference (train_VVTQ.py)");
        fields.put(ReferenceVectors.FIELD, ReferenceVectors.toJson(imp.vectors()));
        if (data != null) {
          List<String> classes = ImageFolder.split(data, "val").classes();
          if (classes.size() != m.config().numClasses()) {
            throw new IllegalArgumentException(data.resolve("val") + " has " + classes.size() + " classes, the checkpoint "
                + m.config().numClasses());
          }
          fields.put("class_names", classes);
        }
        Map<?, ?> top = contents instanceof Map<?, ?> t ? t : Map.of();
        int epoch = top.get("epoch") instanceof Integer e ? e : 0;
        double best = top.get("best_acc1") instanceof TorchTensor t && t.numel() == 1 && t.dtype()
            == TorchDtype.FLOAT32 ? t.floats()[0] : -1;
        CheckpointRepository.Saved saved =
            repo.save(m, null, new TrainingState(epoch, 0, 0, best, 0), fields, true);
        cmd.commandLine().getOut().printf("imported %s %s (%d classes%s) from %s: %d tensors, ignored %s; stored as %s"
                + " (use runs/%s@best)%n", m.config().name(), m.config().bitsLabel(), m.config().numClasses(),
            m.config().useOffset() ? ", --use-offset" : "", file, imp.report().loaded().size(), imp.source().ignored(),
            saved.prefix(), runId);
      }
    }
    return 0;
  }
}
