package dev.vvtq.trainer.artifacts;

import ai.djl.ndarray.NDManager;
import dev.vvtq.artifacts.files.ScratchFolder;
import dev.vvtq.artifacts.manifest.FileEntry;
import dev.vvtq.artifacts.manifest.Manifest;
import dev.vvtq.artifacts.store.ArtifactStore;
import dev.vvtq.proto.v1.ExportModelRequest;
import dev.vvtq.proto.v1.ExportModelResponse;
import dev.vvtq.qat.checkpoint.CheckpointKeys;
import dev.vvtq.qat.checkpoint.CheckpointRepository;
import dev.vvtq.qat.checkpoint.LoadedCheckpoint;
import dev.vvtq.qat.checkpoint.ModelWeights;
import dev.vvtq.qat.export.IntegerModelExporter;
import dev.vvtq.qat.model.DeitConfig;
import dev.vvtq.qat.model.IntegerModelView;
import dev.vvtq.qat.model.QuantDeit;
import dev.vvtq.trainer.jobs.JobConflictException;
import dev.vvtq.trainer.jobs.JobNotFoundException;
import dev.vvtq.trainer.jobs.JobStateException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Exports checkpoints of the store as packed integer models ({@code vvtq export --name}). */
public final class ModelExports {
  private static final String NAME = "[A-Za-z0-9][A-Za-z0-9._-]{0,127}";

  private final ArtifactStore store;
  private final Path workDir;

  public ModelExports(ArtifactStore store, Path workDir) {
    this.store = store;
    this.workDir = workDir;
  }

  public ExportModelResponse export(ExportModelRequest request) throws IOException {
    String ref = request.getCheckpoint();
    if (!CheckpointKeys.isStoreRef(ref)) {
      throw new IllegalArgumentException("checkpoint: a store key such as runs/<run-id>@best or runs/<run-id>/checkpoints/<step>,"
          + " got '" + ref + "'");
    }
    String version = request.getVersion().isEmpty() ? "1" : request.getVersion();
    String name = request.getName().isEmpty() ? CheckpointKeys.runId(ref).orElseThrow() : request.getName();
    if (!name.matches(NAME) || !version.matches(NAME)) {
      throw new IllegalArgumentException("name and version: letters, digits, '.', '_' and '-', got '" + name + "' / '"
          + version + "'");
    }
    String key = CheckpointKeys.resolve(store, ref)
        .orElseThrow(() -> new JobNotFoundException("no checkpoint '" + ref + "' in the store"));
    String modelKey = IntegerModelExporter.prefix(name, version);
    if (!request.getReplace() && store.exists(modelKey + "/" + Manifest.FILE_NAME)) {
      throw new JobConflictException(modelKey + " is published already; set replace to overwrite it");
    }
    try (ScratchFolder scratch = ScratchFolder.createIn(workDir, "export-");
        NDManager root = NDManager.newBaseManager()) {
      LoadedCheckpoint c = CheckpointRepository.resolve(store, key, scratch.path());
      List<String> classes = c.classNames().orElseThrow(() -> new JobStateException(
          key + " records no class names; export it with `vvtq export --data DIR`"));
      try (QuantDeit model = ModelWeights.load(c.modelFile(), root)) {
        DeitConfig cfg = model.config();
        IntegerModelView view;
        try {
          view = IntegerModelView.of(model);
        } catch (IllegalArgumentException e) {
          throw new JobStateException(key + " cannot be exported: " + e.getMessage());
        }
        Manifest m = IntegerModelExporter.publish(view, classes, store, modelKey, key);
        FileEntry file = m.file("model.safetensors").orElseThrow();
        return ExportModelResponse.newBuilder()
            .setModelKey(modelKey)
            .setCheckpoint(key)
            .setArchitecture(cfg.name())
            .setWbits(cfg.wbits())
            .setAbits(cfg.abits())
            .addAllClassNames(classes)
            .setBytes(file.bytes())
            .setSha256(file.sha256())
            .build();
      }
    }
  }
}
