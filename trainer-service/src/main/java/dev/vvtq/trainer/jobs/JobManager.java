package dev.vvtq.trainer.jobs;

import dev.vvtq.artifacts.manifest.Manifest;
import dev.vvtq.artifacts.store.ArtifactLayout;
import dev.vvtq.artifacts.store.ArtifactStore;
import dev.vvtq.proto.v1.JobEvent;
import dev.vvtq.proto.v1.JobKind;
import dev.vvtq.proto.v1.JobState;
import dev.vvtq.proto.v1.LabelSpec;
import dev.vvtq.proto.v1.TrainSpec;
import dev.vvtq.qat.checkpoint.CheckpointKeys;
import dev.vvtq.qat.model.DeitModels;
import dev.vvtq.qat.train.RunRecord;
import dev.vvtq.qat.train.RunStatus;
import dev.vvtq.qat.train.TrainSpec.Violation;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Logger;

/**
 * The trainer service's jobs: validates and queues submissions, keeps the jobs of this process,
 * answers queries from them and from the run records in the store, and at start-up picks up what a
 * previous process left unfinished.
 */
public final class JobManager implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(JobManager.class.getName());
  private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

  private final ArtifactStore store;
  private final String storeLocation;
  private final JobRecords records;
  private final SpecValidator validator;
  private final JobScheduler scheduler;
  private final JobMetrics metrics;
  private final Map<String, Job> jobs = new LinkedHashMap<>();

  /**
   * @param storeLocation the store's location as configured (what a job's spec records as its
   *     save_checkpoint_path)
   */
  public JobManager(ArtifactStore store, String storeLocation, Path workDir, int concurrency, Duration progressInterval,
      JobMetrics metrics) {
    this.store = store;
    this.storeLocation = storeLocation;
    this.records = new JobRecords(store);
    this.validator = new SpecValidator(store);
    this.metrics = metrics;
    Map<JobKind, JobRunner> runners = new EnumMap<>(JobKind.class);
    runners.put(JobKind.JOB_KIND_TRAIN, new TrainJobRunner(store, storeLocation, workDir, progressInterval, metrics));
    runners.put(JobKind.JOB_KIND_LABEL, new LabelJobRunner(store, records, workDir, progressInterval));
    this.scheduler = new JobScheduler(concurrency, runners, metrics);
  }

  /** Validates and queues a training job; its id is the run id (given, the resumed run's, or generated). */
  public Job submitTrain(TrainSpec request) throws IOException {
    TrainSpec normalised = inheritResumedSpec(request.toBuilder()
        .setFinetune(CheckpointKeys.canonical(request.getFinetune()))
        .setResume(CheckpointKeys.canonical(request.getResume()))
        .build());
    String id = trainJobId(normalised);
    dev.vvtq.qat.train.TrainSpec spec = TrainSpecs.toLibrary(normalised, storeLocation, id);
    List<Violation> v = validator.train(normalised, spec);
    if (!v.isEmpty()) {
      throw new InvalidSpecException("training spec", v);
    }
    synchronized (this) {
      Job existing = jobs.get(id);
      if (existing != null && !existing.terminal()) {
        throw new JobConflictException("job " + id + " is " + JobStates.label(existing.state()) + "; cancel it first");
      }
      if (!spec.resumesOwnRun() && (existing != null || records.exists(id))) {
        throw new JobConflictException("run '" + id + "' exists already in the store; choose another run_id, or resume it"
            + " with resume 'runs/" + id + "'");
      }
      Job job = Job.train(id, TrainSpecs.fromLibrary(spec), Instant.now());
      records.saveQueuedTrain(id, spec, "queued");
      queue(job);
      return job;
    }
  }

  /**
   * Resuming {@code runs/<id>} continues that run, so the fields the request leaves unset take the
   * run's recorded spec (model, bits, schedule...) rather than the defaults; set fields still win.
   */
  private TrainSpec inheritResumedSpec(TrainSpec request) throws IOException {
    Optional<String> run = CheckpointKeys.runId(request.getResume());
    if (run.isEmpty()) {
      return request;
    }
    Optional<RunRecord> record = records.load(run.get()).filter(r -> JobRecords.KIND_TRAIN.equals(r.kind()));
    if (record.isEmpty()) {
      return request;
    }
    return TrainSpecs.fromLibrary(record.get().trainSpec()).toBuilder()
        .clearFinetune().clearRunId().clearSaveCheckpointPath()
        .mergeFrom(request)
        .build();
  }

  /** Validates and queues a label job writing {@code softlabels/<out_name>}. */
  public Job submitLabel(LabelSpec spec) throws IOException {
    List<Violation> v = validator.label(spec);
    if (!v.isEmpty()) {
      throw new InvalidSpecException("label spec", v);
    }
    String prefix = LabelJobs.prefix(spec);
    synchronized (this) {
      for (Job j : jobs.values()) {
        if (j.kind() == JobKind.JOB_KIND_LABEL && !j.terminal() && j.labelSpec().getOutName().equals(spec.getOutName())) {
          throw new JobConflictException("job " + j.id() + " is already writing " + prefix);
        }
      }
      if (store.exists(prefix + "/" + Manifest.FILE_NAME)) {
        throw new JobConflictException(prefix + " is published already; choose another out_name");
      }
      String id = uniqueId("label-" + spec.getOutName());
      Job job = Job.label(id, spec, Instant.now());
      records.saveLabel(id, spec, RunStatus.QUEUED, "queued");
      queue(job);
      return job;
    }
  }

  private void queue(Job job) {
    jobs.put(job.id(), job);
    metrics.submitted(job.kind());
    scheduler.enqueue(job);
  }

  private String trainJobId(TrainSpec request) throws IOException {
    if (!request.getRunId().isBlank()) {
      return request.getRunId();
    }
    Optional<String> resumed = CheckpointKeys.runId(request.getResume());
    if (resumed.isPresent()) {
      return resumed.get();
    }
    String model = request.getModel().isEmpty() ? dev.vvtq.qat.train.TrainSpec.defaults().model() : request.getModel();
    String bits;
    try {
      bits = DeitModels.get(model, request.hasWbits() ? request.getWbits() : -1, request.hasAbits() ? request.getAbits() : -1)
          .bitsLabel().toLowerCase(Locale.ROOT);
    } catch (IllegalArgumentException e) {
      // The validator reports the bad model or bits; any id does until then.
      bits = "run";
      model = "job";
    }
    return uniqueId(model + "-" + bits);
  }

  private synchronized String uniqueId(String base) throws IOException {
    while (true) {
      String id = base + "-" + ID_TIME.format(Instant.now()) + "-"
          + Integer.toHexString(0x1000 + ThreadLocalRandom.current().nextInt(0xF000));
      if (!jobs.containsKey(id) && !records.exists(id)) {
        return id;
      }
    }
  }

  /** A job by id: this process's, or one known from its record in the store. */
  public dev.vvtq.proto.v1.Job get(String id) throws IOException {
    Job j = find(id);
    if (j != null) {
      return j.snapshot();
    }
    return records.load(id).map(JobRecords::toProto)
        .orElseThrow(() -> new JobNotFoundException("no job '" + id + "'"));
  }

  private synchronized Job find(String id) {
    return jobs.get(id);
  }

  /** Jobs of this process and of the store's records, newest first. */
  public List<dev.vvtq.proto.v1.Job> list(Set<JobState> states, JobKind kind, int limit) throws IOException {
    Map<String, dev.vvtq.proto.v1.Job> all = new LinkedHashMap<>();
    for (RunRecord r : records.all()) {
      try {
        all.put(r.runId(), JobRecords.toProto(r));
      } catch (RuntimeException e) {
        LOG.warning("skipping job record " + r.runId() + ": " + e.getMessage());
      }
    }
    synchronized (this) {
      for (Job j : jobs.values()) {
        all.put(j.id(), j.snapshot());
      }
    }
    Comparator<dev.vvtq.proto.v1.Job> newestFirst = Comparator.comparingLong(
        (dev.vvtq.proto.v1.Job j) -> j.getSubmitted().getSeconds() * 1_000_000_000L + j.getSubmitted().getNanos()).reversed();
    return all.values().stream()
        .filter(j -> states.isEmpty() || states.contains(j.getState()))
        .filter(j -> kind == JobKind.JOB_KIND_UNSPECIFIED || j.getKind() == kind)
        .sorted(newestFirst)
        .limit(limit)
        .toList();
  }

  /** Cancels a queued job at once, or asks a running one to stop after its next step. */
  public dev.vvtq.proto.v1.Job cancel(String id) throws IOException {
    Job j = find(id);
    if (j == null) {
      dev.vvtq.proto.v1.Job past = get(id);
      throw new JobStateException(JobStates.terminal(past.getState())
          ? "job " + id + " is " + JobStates.label(past.getState()) + " (not queued or running)"
          : "job " + id + " is not run by this service (its record says " + JobStates.label(past.getState())
              + "); cancel it where it runs");
    }
    JobState before = j.requestCancel();
    if (before == JobState.JOB_STATE_QUEUED) {
      scheduler.remove(j);
      metrics.finished(j.kind(), JobState.JOB_STATE_CANCELLED);
      records.saveStatus(id, RunStatus.CANCELLED, "cancelled before it started");
    } else if (JobStates.terminal(before)) {
      throw new JobStateException("job " + id + " is " + JobStates.label(before) + " (not queued or running)");
    }
    return j.snapshot();
  }

  /** Streams a job's events to {@code watcher}, starting with its current state. */
  public void watch(String id, Job.JobWatcher watcher) throws IOException {
    Job j = find(id);
    if (j != null) {
      j.watch(watcher);
      return;
    }
    // A job of another process (a past one, or a CLI run): its record is all this process knows and
    // it will not change here, so the stream carries the state and outcome and ends.
    dev.vvtq.proto.v1.Job past = get(id);
    JobEvent.Builder e = JobEvent.newBuilder().setJobId(id).setTime(Job.timestamp(Instant.now()));
    watcher.send(e.clone().setStateChange(past.getState()).build());
    if (past.hasResult()) {
      watcher.send(e.clone().setResult(past.getResult()).build());
    } else if (!past.getMessage().isEmpty()) {
      watcher.send(e.clone().setMessage(past.getMessage()).build());
    }
    watcher.complete();
  }

  /** How many jobs of this process are in each state. */
  public synchronized Map<JobState, Integer> countsByState() {
    Map<JobState, Integer> counts = new EnumMap<>(JobState.class);
    for (Job j : jobs.values()) {
      counts.merge(j.state(), 1, Integer::sum);
    }
    return counts;
  }

  /**
   * Takes over the records a previous process left QUEUED or RUNNING: requeued when {@code resume}
   * (training continues from the run's latest checkpoint, or starts over if it has none), else
   * marked FAILED.
   */
  public void recover(boolean resume) throws IOException {
    List<RunRecord> interrupted = new ArrayList<>();
    for (RunRecord r : records.all()) {
      if (r.status() == RunStatus.QUEUED || r.status() == RunStatus.RUNNING) {
        interrupted.add(r);
      }
    }
    interrupted.sort(Comparator.comparing(RunRecord::created));
    for (RunRecord r : interrupted) {
      synchronized (this) {
        if (jobs.containsKey(r.runId())) {
          continue;
        }
        if (!resume) {
          records.saveStatus(r.runId(), RunStatus.FAILED, "interrupted by a service restart (resume-interrupted is off)");
          continue;
        }
        Job job;
        if (JobRecords.KIND_LABEL.equals(r.kind())) {
          job = Job.label(r.runId(), LabelJobs.fromJson(r.spec()), Instant.now());
        } else {
          dev.vvtq.qat.train.TrainSpec spec = r.trainSpec();
          String message = "requeued after a service restart";
          if (store.exists(ArtifactLayout.checkpointPointer(r.runId(), "latest"))) {
            spec = spec.toBuilder().finetune(null).resume(ArtifactLayout.run(r.runId())).saveCheckpointPath(storeLocation)
                .runId(r.runId()).log(null).build();
            message += "; resumes from its latest checkpoint";
          }
          records.saveStatus(r.runId(), RunStatus.QUEUED, message);
          job = Job.train(r.runId(), TrainSpecs.fromLibrary(spec), Instant.now());
        }
        LOG.info("requeued interrupted job " + r.runId());
        queue(job);
      }
    }
  }

  /**
   * Stops: no more jobs start, running ones checkpoint and stop within {@code timeout}, and every
   * unfinished job's record is left QUEUED so that the next start resumes it.
   */
  public void shutdown(Duration timeout) {
    scheduler.close();
    List<Job> running = new ArrayList<>();
    synchronized (this) {
      for (Job j : jobs.values()) {
        if (!j.terminal()) {
          j.requestShutdownStop();
          running.add(j);
        }
      }
    }
    long until = System.nanoTime() + timeout.toNanos();
    for (Thread t : scheduler.workers()) {
      try {
        t.join(Math.max(1, (until - System.nanoTime()) / 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    for (Job j : running) {
      if (j.stoppedForShutdown()) {
        try {
          records.saveStatus(j.id(), RunStatus.QUEUED, "interrupted by a service shutdown; resumes at the next start");
        } catch (IOException | RuntimeException e) {
          LOG.warning("could not mark job " + j.id() + " for resumption: " + e.getMessage());
        }
      }
    }
  }

  @Override
  public void close() {
    shutdown(Duration.ofSeconds(60));
  }
}
