package dev.vvtq.trainer.artifacts;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vvtq.artifacts.manifest.FileEntry;
import dev.vvtq.artifacts.manifest.Manifest;
import dev.vvtq.artifacts.store.ArtifactLayout;
import dev.vvtq.artifacts.store.ArtifactStore;
import dev.vvtq.proto.v1.CheckpointInfo;
import dev.vvtq.qat.checkpoint.CheckpointKeys;
import dev.vvtq.qat.checkpoint.CheckpointRepository;
import dev.vvtq.qat.train.RunRecord;
import dev.vvtq.trainer.jobs.JobNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** The published checkpoints of a run, with the latest and best pointers marked. */
public final class CheckpointCatalog {
  private final ArtifactStore store;

  public CheckpointCatalog(ArtifactStore store) {
    this.store = store;
  }

  /** Oldest first; {@link JobNotFoundException} when the store knows no such run. */
  public List<CheckpointInfo> list(String runId) throws IOException {
    if (runId == null || !ArtifactLayout.isValidSegment(runId)) {
      throw new IllegalArgumentException("run_id: a run id (letters, digits, '.', '_', '-'), got '" + runId + "'");
    }
    List<Manifest> manifests = new CheckpointRepository(store, runId).list();
    if (manifests.isEmpty() && !store.exists(RunRecord.key(runId))) {
      throw new JobNotFoundException("no run '" + runId + "' in the store");
    }
    String latest = CheckpointKeys.resolve(store, ArtifactLayout.run(runId)).orElse("");
    String best = CheckpointKeys.resolve(store, ArtifactLayout.bestCheckpointRef(runId)).orElse("");
    List<CheckpointInfo> out = new ArrayList<>();
    for (Manifest m : manifests) {
      JsonNode state = m.field("state").orElse(null);
      long step = state == null ? 0 : state.path("global_step").asLong();
      String key = ArtifactLayout.checkpoint(runId, step);
      JsonNode metrics = m.field("metrics").orElse(null);
      CheckpointInfo.Builder b = CheckpointInfo.newBuilder()
          .setKey(key)
          .setStep(step)
          .setEpoch(state == null ? 0 : state.path("epoch").asInt())
          .setLatest(key.equals(latest))
          .setBest(key.equals(best))
          .setCreated(com.google.protobuf.Timestamp.newBuilder()
              .setSeconds(m.created().getEpochSecond()).setNanos(m.created().getNano()))
          .setBytes(m.files().values().stream().mapToLong(FileEntry::bytes).sum());
      if (metrics != null) {
        b.setValTop1(metrics.path("val_top1").asDouble()).setValTop5(metrics.path("val_top5").asDouble());
      }
      out.add(b.build());
    }
    return out;
  }
}
