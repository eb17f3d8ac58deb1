package dev.vvtq.trainer.artifacts;

import dev.vvtq.artifacts.store.ArtifactStore;
import dev.vvtq.proto.v1.ExportModelRequest;
import dev.vvtq.proto.v1.ExportModelResponse;
import dev.vvtq.qat.checkpoint.CheckpointKeys;
import dev.vvtq.qat.jobs.ModelExportJob;
import dev.vvtq.trainer.jobs.JobNotFoundException;
import java.io.IOException;
import java.nio.file.Path;

/** Exports checkpoints of the store as packed integer models ({@code vvtq export --name}). */
public final class ModelExports {
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
    String name = request.getName().isEmpty() ? CheckpointKeys.runId(ref).orElseThrow() : request.getName();
    ModelExportJob.Spec spec = ModelExportJob.Spec.toStore(ref, name, request.getVersion(), request.getReplace());
    String key = CheckpointKeys.resolve(store, ref)
        .orElseThrow(() -> new JobNotFoundException("no checkpoint '" + ref + "' in the store"));
    ModelExportJob.Result r = ModelExportJob.run(
        ModelExportJob.Spec.toStore(key, spec.name(), spec.version(), spec.replace()), store, workDir);
    return ExportModelResponse.newBuilder()
        .setModelKey(r.where())
        .setCheckpoint(key)
        .setArchitecture(r.config().name())
        .setWbits(r.config().wbits())
        .setAbits(r.config().abits())
        .addAllClassNames(r.classNames())
        .setBytes(r.modelFile().bytes())
        .setSha256(r.modelFile().sha256())
        .build();
  }
}
