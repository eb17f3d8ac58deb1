package dev.vvtq.qat.train;

import dev.vvtq.artifacts.store.ArtifactStore;
import dev.vvtq.qat.checkpoint.CheckpointRepository;
import dev.vvtq.qat.checkpoint.TrainingState;
import dev.vvtq.qat.loss.RegularizerTiming;
import dev.vvtq.qat.model.QuantDeit;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything a run publishes: checkpoints, the run record and its history, metrics. Only the
 * writing rank (rank 0, or the one process) touches the store; the others keep the history in memory
 * so that every rank returns the same result.
 */
final class RunCheckpointer {
  /** Manifest field with the number of ranks that trained the checkpoint (absent: 1). */
  static final String WORLD_SIZE_FIELD = "world_size";

  private final ArtifactStore store;
  private final CheckpointRepository checkpoints;
  private final String runId;
  private final boolean writes;
  private final TrainingListener listener;
  private final TrainSpec spec;
  private final List<String> classes;
  private final int worldSize;
  private final List<EpochRecord> history;
  private RunRecord record;
  private String lastCheckpoint;

  RunCheckpointer(ArtifactStore store, String runId, boolean writes, TrainingListener listener, TrainSpec spec,
      List<String> classes, int worldSize, RunRecord record, List<EpochRecord> history, String lastCheckpoint) {
    this.store = store;
    this.checkpoints = new CheckpointRepository(store, runId);
    this.runId = runId;
    this.writes = writes;
    this.listener = listener;
    this.spec = spec;
    this.classes = classes;
    this.worldSize = worldSize;
    this.record = record;
    this.history = new ArrayList<>(history);
    this.lastCheckpoint = lastCheckpoint;
  }

  /** Store prefix of the best checkpoint so far, or null. */
  String bestPointer(TrainingState s) {
    return s.bestStep() < 0 ? null : checkpoints.checkpointsPrefix() + "/" + s.bestStep();
  }

  String lastCheckpoint() {
    return lastCheckpoint;
  }

  List<EpochRecord> history() {
    return List.copyOf(history);
  }

  /** Publishes the record as the run starts (or resumes). */
  void started(TrainingState state) throws IOException {
    record = record.withProgress(history, state.bestTop1(), bestPointer(state), lastCheckpoint);
    if (writes) {
      record.save(store);
    }
  }

  /** Checkpoints mid-pass and marks the run cancelled. */
  void cancelled(QuantDeit model, AdamW optimizer, TrainingState state) throws IOException {
    if (writes) {
      CheckpointRepository.Saved saved = checkpoints.save(model, optimizer, state, fields(null), false);
      lastCheckpoint = saved.prefix();
      listener.onCheckpoint(saved, false);
    } else {
      lastCheckpoint = prefixOf(state);
    }
    record = record.withProgress(history, state.bestTop1(), bestPointer(state), lastCheckpoint)
        .withStatus(RunStatus.CANCELLED, "cancelled at step " + state.globalStep() + "; resume with --resume runs/" + runId);
    if (writes) {
      record.save(store);
    }
    listener.onMessage("cancelled: checkpoint " + lastCheckpoint);
  }

  /** Checkpoints at the end of a pass and appends its record to the history. */
  void passDone(QuantDeit model, AdamW optimizer, TrainingState state, EpochRecord rec, boolean best) throws IOException {
    if (writes) {
      CheckpointRepository.Saved saved = checkpoints.save(model, optimizer, state, fields(rec), best);
      lastCheckpoint = saved.prefix();
      rec = rec.withCheckpoint(saved.prefix());
      history.add(rec);
      listener.onCheckpoint(saved, best);
    } else {
      lastCheckpoint = prefixOf(state);
      rec = rec.withCheckpoint(lastCheckpoint);
      history.add(rec);
    }
    listener.onEpoch(rec);
    record = record.withProgress(history, state.bestTop1(), bestPointer(state), lastCheckpoint);
    if (writes) {
      record.save(store);
      record.saveMetrics(store);
    }
  }

  /** Marks the run succeeded. */
  void succeeded() throws IOException {
    record = record.withStatus(RunStatus.SUCCEEDED, "done");
    if (writes) {
      record.save(store);
    }
  }

  private String prefixOf(TrainingState state) {
    return checkpoints.checkpointsPrefix() + "/" + state.globalStep();
  }

  private Map<String, Object> fields(EpochRecord rec) {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("spec", spec);
    f.put("class_names", classes);
    f.put(WORLD_SIZE_FIELD, worldSize);
    f.put(RegularizerTiming.RECORD_KEY, RegularizerTiming.DEFAULT.id());
    if (rec != null) {
      Map<String, Object> metrics = new LinkedHashMap<>();
      metrics.put("val_top1", rec.valTop1());
      metrics.put("val_top5", rec.valTop5());
      metrics.put("val_loss", rec.valLoss());
      metrics.put("train_loss", rec.trainLoss());
      metrics.put("train_top1", rec.trainTop1());
      metrics.put("oscillating_fraction", rec.oscillatingFraction());
      f.put("metrics", metrics);
      f.put(CheckpointRepository.EPOCH_RECORD_FIELD, CheckpointRepository.epochRecordJson(rec));
    }
    return f;
  }
}
