package dev.vvtq.trainer.jobs;

import dev.vvtq.artifacts.store.ArtifactStore;
import dev.vvtq.qat.checkpoint.CheckpointRepository;
import dev.vvtq.qat.train.EpochRecord;
import dev.vvtq.qat.train.StepProgress;
import dev.vvtq.qat.train.Trainer;
import dev.vvtq.qat.train.TrainingListener;
import dev.vvtq.qat.train.TrainingResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.logging.Logger;

/** Runs a training job with the library's {@link Trainer}, turning its callbacks into job events. */
final class TrainJobRunner implements JobRunner {
  private static final Logger LOG = Logger.getLogger(TrainJobRunner.class.getName());

  private final ArtifactStore store;
  private final Path workDir;
  private final Duration progressInterval;
  private final JobMetrics metrics;
  private final String storeLocation;

  TrainJobRunner(ArtifactStore store, String storeLocation, Path workDir, Duration progressInterval, JobMetrics metrics) {
    this.store = store;
    this.storeLocation = storeLocation;
    this.workDir = workDir;
    this.progressInterval = progressInterval;
    this.metrics = metrics;
  }

  @Override
  public JobOutcome run(Job job) throws Exception {
    dev.vvtq.qat.train.TrainSpec spec = TrainSpecs.toLibrary(job.trainSpec(), storeLocation, job.id());
    Listener listener = new Listener(job);
    TrainingResult r = new Trainer(spec, store, workDir.resolve("jobs"), listener, job::cancelRequested).run();
    if (r.cancelled()) {
      return JobOutcome.cancelled("cancelled; last checkpoint " + r.lastCheckpoint()
          + " (submit again with resume 'runs/" + r.runId() + "' to continue)");
    }
    String message = String.format(Locale.ROOT, "best val top-1 %.3f at %s", r.bestTop1(), r.bestCheckpoint());
    return JobOutcome.succeeded(message,
        JobRecords.trainResult(r.history(), r.bestCheckpoint(), r.lastCheckpoint(), r.seconds()));
  }

  /** Library callbacks to job events; the step histogram counts steps within a pass only. */
  private final class Listener implements TrainingListener {
    private final Job job;
    private final ProgressThrottle throttle = new ProgressThrottle(progressInterval);
    private long lastStepNanos;
    private int lastBatch = -1;
    private String best;

    Listener(Job job) {
      this.job = job;
    }

    @Override
    public void onStep(StepProgress p) {
      long now = System.nanoTime();
      if (p.batchInPass() == lastBatch + 1 && lastBatch > 0) {
        metrics.step((now - lastStepNanos) / 1e9, p.imagesPerSecond());
      }
      lastStepNanos = now;
      lastBatch = p.batchInPass();
      boolean boundary = p.batchInPass() == 1 || p.batchInPass() == p.batchesInPass();
      job.progress(ProgressProtos.of(p), throttle.admit(boundary));
    }

    @Override
    public void onCheckpoint(CheckpointRepository.Saved saved, boolean isBest) {
      if (isBest) {
        best = saved.prefix();
      }
    }

    @Override
    public void onEpoch(EpochRecord record) {
      lastBatch = -1;
      job.epochEnded(ProgressProtos.of(record, best));
    }

    @Override
    public void onMessage(String line) {
      LOG.info(() -> "job " + job.id() + ": " + line);
    }
  }
}
