package dev.vvtq.trainer.jobs;

import dev.vvtq.artifacts.store.ArtifactStore;
import dev.vvtq.proto.v1.JobResult;
import dev.vvtq.proto.v1.LabelSpec;
import dev.vvtq.qat.checkpoint.CheckpointKeys;
import dev.vvtq.qat.jobs.JobCancelledException;
import dev.vvtq.qat.jobs.SoftLabelJob;
import dev.vvtq.qat.train.RunStatus;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Runs a label job as {@code vvtq label --publish} does: the teacher labels crops of every training
 * image into a resumable folder under the work dir, which is then published as {@code
 * softlabels/<out_name>}.
 */
final class LabelJobRunner implements JobRunner {
  private final ArtifactStore store;
  private final JobRecords records;
  private final Path workDir;
  private final Duration progressInterval;

  LabelJobRunner(ArtifactStore store, JobRecords records, Path workDir, Duration progressInterval) {
    this.store = store;
    this.records = records;
    this.workDir = workDir;
    this.progressInterval = progressInterval;
  }

  @Override
  public JobOutcome run(Job job) throws Exception {
    LabelSpec s = job.labelSpec();
    records.saveLabel(job.id(), s, RunStatus.RUNNING, "");
    try {
      JobOutcome outcome = label(job, s);
      records.saveLabel(job.id(), s, outcome.state() == dev.vvtq.proto.v1.JobState.JOB_STATE_SUCCEEDED
          ? RunStatus.SUCCEEDED : RunStatus.CANCELLED, outcome.message());
      return outcome;
    } catch (Exception e) {
      records.saveLabel(job.id(), s, RunStatus.FAILED, e.getMessage() == null ? e.toString() : e.getMessage());
      throw e;
    }
  }

  private JobOutcome label(Job job, LabelSpec s) throws IOException {
    SoftLabelJob.Spec spec = new SoftLabelJob.Spec(CheckpointKeys.canonical(s.getTeacherCheckpoint()),
        s.getTeacherModel(), Path.of(s.getData()), workDir.resolve("softlabels").resolve(s.getOutName()),
        s.hasCrops() ? s.getCrops() : SoftLabelJob.DEFAULT_CROPS,
        s.hasTopk() ? s.getTopk() : SoftLabelJob.DEFAULT_TOPK,
        s.hasSeed() ? s.getSeed() : SoftLabelJob.DEFAULT_SEED,
        s.hasInputSize() ? s.getInputSize() : 0,
        s.hasBatchSize() ? s.getBatchSize() : SoftLabelJob.DEFAULT_BATCH_SIZE,
        s.hasMinCropScale() ? s.getMinCropScale() : SoftLabelJob.DEFAULT_MIN_CROP_SCALE,
        s.getOutName());
    ProgressThrottle throttle = new ProgressThrottle(progressInterval);
    SoftLabelJob.Result r;
    try {
      r = SoftLabelJob.run(spec, store, workDir.resolve("jobs"),
          p -> job.progress(ProgressProtos.of(p), throttle.admit(p.imagesDone() == p.images())), job::cancelRequested);
    } catch (JobCancelledException e) {
      return JobOutcome.cancelled(e.getMessage());
    }
    return JobOutcome.succeeded("labelled " + r.manifest().imageCount() + " images into " + r.published(),
        JobResult.newBuilder().setSoftlabelPrefix(r.published()).setImagesLabelled(r.manifest().imageCount())
            .setSeconds(r.seconds()).build());
  }
}
