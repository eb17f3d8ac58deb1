package dev.vvtq.trainer.jobs;

import dev.vvtq.artifacts.store.ArtifactLayout;
import dev.vvtq.artifacts.store.ArtifactStore;
import dev.vvtq.proto.v1.Job;
import dev.vvtq.proto.v1.JobKind;
import dev.vvtq.proto.v1.JobResult;
import dev.vvtq.proto.v1.JobState;
import dev.vvtq.qat.train.EpochRecord;
import dev.vvtq.qat.train.RunRecord;
import dev.vvtq.qat.train.RunStatus;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Job records in the store ({@code runs/<id>/run.json}, the library's {@link RunRecord}) and their API form. */
public final class JobRecords {
  private static final Logger LOG = Logger.getLogger(JobRecords.class.getName());
  static final String KIND_TRAIN = "train";
  static final String KIND_LABEL = "label";

  private final ArtifactStore store;

  public JobRecords(ArtifactStore store) {
    this.store = store;
  }

  /** Every readable record in the store; unreadable ones are logged and skipped. */
  public List<RunRecord> all() throws IOException {
    List<RunRecord> out = new ArrayList<>();
    for (String key : store.list(ArtifactLayout.RUNS)) {
      String id = ArtifactLayout.runIdOfRecord(key).orElse(null);
      if (id == null) {
        continue;
      }
      try {
        RunRecord.load(store, id).ifPresent(out::add);
      } catch (IOException | RuntimeException e) {
        LOG.log(Level.WARNING, "skipping unreadable job record " + key + ": " + e.getMessage());
      }
    }
    return out;
  }

  public Optional<RunRecord> load(String id) throws IOException {
    return RunRecord.load(store, id);
  }

  public boolean exists(String id) throws IOException {
    return store.exists(RunRecord.key(id));
  }

  /** Writes a record of a label job (the trainer writes training records itself once running). */
  void saveLabel(String id, dev.vvtq.proto.v1.LabelSpec spec, RunStatus status, String message) throws IOException {
    RunRecord r = load(id).filter(x -> KIND_LABEL.equals(x.kind()))
        .orElseGet(() -> RunRecord.create(id, KIND_LABEL, status, LabelJobs.toJson(spec), 0));
    r.withStatus(status, message).save(store);
  }

  /** Writes the QUEUED record of a training job, keeping the history of a run it resumes. */
  void saveQueuedTrain(String id, dev.vvtq.qat.train.TrainSpec spec, String message) throws IOException {
    Optional<RunRecord> existing = load(id);
    RunRecord r = existing.isPresent() && spec.resume() != null
        ? existing.get().withStatus(RunStatus.QUEUED, message)
        : RunRecord.create(id, KIND_TRAIN, RunStatus.QUEUED, spec, spec.epochs()).withStatus(RunStatus.QUEUED, message);
    r.save(store);
  }

  /** Rewrites a record's status (cancelled while queued, failed before the trainer started...). */
  void saveStatus(String id, RunStatus status, String message) throws IOException {
    Optional<RunRecord> r = load(id);
    if (r.isPresent()) {
      r.get().withStatus(status, message).save(store);
    }
  }

  /** The API form of a job known only from its record (a past process's, or a CLI run's). */
  public static Job toProto(RunRecord r) {
    JobState state = JobStates.of(r.status());
    Job.Builder b = Job.newBuilder().setId(r.runId()).setState(state).setMessage(r.message() == null ? "" : r.message());
    Instant created = parse(r.created());
    if (created != null) {
      b.setSubmitted(dev.vvtq.trainer.jobs.Job.timestamp(created));
    }
    Instant updated = parse(r.updated());
    if (JobStates.terminal(state) && updated != null) {
      b.setFinished(dev.vvtq.trainer.jobs.Job.timestamp(updated));
    }
    if (KIND_LABEL.equals(r.kind())) {
      dev.vvtq.proto.v1.LabelSpec spec = LabelJobs.fromJson(r.spec());
      b.setKind(JobKind.JOB_KIND_LABEL).setLabel(spec).setOutput(LabelJobs.prefix(spec));
      if (state == JobState.JOB_STATE_SUCCEEDED) {
        b.setResult(JobResult.newBuilder().setSoftlabelPrefix(LabelJobs.prefix(spec)));
      }
    } else {
      b.setKind(JobKind.JOB_KIND_TRAIN).setTrain(TrainSpecs.fromLibrary(r.trainSpec())).setOutput(r.runId());
      if (state == JobState.JOB_STATE_SUCCEEDED) {
        b.setResult(trainResult(r.history(), r.bestCheckpoint(), r.latestCheckpoint(), 0));
      }
    }
    return b.build();
  }

  /** A training result from a run's history: the best pass by validation top-1, and the last. */
  static JobResult trainResult(List<EpochRecord> history, String best, String last, double seconds) {
    JobResult.Builder b = JobResult.newBuilder().setSeconds(seconds);
    if (best != null) {
      b.setBestCheckpoint(best);
    }
    if (last != null) {
      b.setFinalCheckpoint(last);
    }
    for (EpochRecord e : history) {
      if (best != null && best.equals(e.checkpoint())) {
        b.setBestTop1(e.valTop1()).setBestTop5(e.valTop5());
      }
    }
    if (!history.isEmpty()) {
      EpochRecord end = history.get(history.size() - 1);
      b.setFinalTop1(end.valTop1()).setFinalTop5(end.valTop5());
      if (last == null && end.checkpoint() != null) {
        b.setFinalCheckpoint(end.checkpoint());
      }
    }
    return b.build();
  }

  private static Instant parse(String t) {
    try {
      return t == null ? null : Instant.parse(t);
    } catch (java.time.format.DateTimeParseException e) {
      return null;
    }
  }
}
