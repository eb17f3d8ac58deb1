package dev.vvtq.trainer.jobs;

import ai.djl.ndarray.NDManager;
import dev.vvtq.artifacts.files.ScratchFolder;
import dev.vvtq.artifacts.manifest.ArtifactKinds;
import dev.vvtq.artifacts.store.ArtifactStore;
import dev.vvtq.imaging.RandomResizedCrop;
import dev.vvtq.proto.v1.JobResult;
import dev.vvtq.proto.v1.LabelSpec;
import dev.vvtq.qat.checkpoint.CheckpointKeys;
import dev.vvtq.qat.checkpoint.CheckpointRepository;
import dev.vvtq.qat.checkpoint.LoadedCheckpoint;
import dev.vvtq.qat.checkpoint.ModelWeights;
import dev.vvtq.qat.data.ImageFolder;
import dev.vvtq.qat.model.QuantDeit;
import dev.vvtq.qat.softlabel.ModelTeacher;
import dev.vvtq.qat.softlabel.SoftLabelGenerator;
import dev.vvtq.qat.softlabel.SoftLabelManifest;
import dev.vvtq.qat.softlabel.SoftLabelSpec;
import dev.vvtq.qat.train.RunStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

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
    long start = System.nanoTime();
    ImageFolder train = ImageFolder.split(Path.of(s.getData()), "train");
    Path out = workDir.resolve("softlabels").resolve(s.getOutName());
    try (ScratchFolder scratch = ScratchFolder.createIn(workDir.resolve("jobs"), job.id() + "-");
        NDManager root = NDManager.newBaseManager()) {
      LoadedCheckpoint c = CheckpointRepository.resolve(store, CheckpointKeys.canonical(s.getTeacherCheckpoint()), scratch.path());
      try (QuantDeit model = ModelWeights.load(c.modelFile(), root)) {
        if (!s.getTeacherModel().isEmpty() && !s.getTeacherModel().equals(model.config().name())) {
          throw new IllegalArgumentException("teacher_model " + s.getTeacherModel() + " does not match the checkpoint's "
              + model.config().name());
        }
        if (model.config().numClasses() != train.numClasses()) {
          throw new IllegalArgumentException("the teacher has " + model.config().numClasses() + " classes but "
              + train.root() + " has " + train.numClasses());
        }
        SoftLabelSpec defaults = SoftLabelSpec.of(
            s.hasCrops() ? s.getCrops() : LabelJobs.DEFAULT_CROPS,
            s.hasTopk() ? s.getTopk() : LabelJobs.DEFAULT_TOPK,
            s.hasSeed() ? s.getSeed() : 0,
            s.hasInputSize() ? s.getInputSize() : model.config().imgSize(),
            s.hasBatchSize() ? s.getBatchSize() : LabelJobs.DEFAULT_BATCH_SIZE);
        RandomResizedCrop crop = s.hasMinCropScale()
            ? new RandomResizedCrop(s.getMinCropScale(), 1.0, 3.0 / 4.0, 4.0 / 3.0) : defaults.crop();
        SoftLabelSpec spec = new SoftLabelSpec(defaults.cropsPerImage(), defaults.topK(), defaults.seed(),
            defaults.inputSize(), defaults.imagesPerShard(), defaults.batchSize(), crop, defaults.normalization());
        ProgressThrottle throttle = new ProgressThrottle(progressInterval);
        SoftLabelManifest m;
        try {
          m = new SoftLabelGenerator(spec).generate(train, new ModelTeacher(model),
              s.getTeacherCheckpoint() + " (" + model.config().name() + " " + model.config().bitsLabel() + ")", root, out,
              p -> {
                job.progress(ProgressProtos.of(p), throttle.admit(p.imagesDone() == p.images()));
                if (job.cancelRequested()) {
                  throw new Cancelled();
                }
              });
        } catch (Cancelled e) {
          return JobOutcome.cancelled("cancelled; finished shards are kept in " + out + " and reused by the same job");
        }
        String prefix = LabelJobs.prefix(s);
        Map<String, Path> files = new LinkedHashMap<>();
        try (Stream<Path> list = Files.list(out)) {
          list.filter(Files::isRegularFile).forEach(f -> files.put(f.getFileName().toString(), f));
        }
        store.publish(prefix, ArtifactKinds.SOFT_LABELS, files,
            Map.of("teacher", s.getTeacherCheckpoint(), "crops", spec.cropsPerImage(), "topk", spec.topK()));
        double seconds = (System.nanoTime() - start) / 1e9;
        return JobOutcome.succeeded("labelled " + m.imageCount() + " images into " + prefix,
            JobResult.newBuilder().setSoftlabelPrefix(prefix).setImagesLabelled(m.imageCount()).setSeconds(seconds).build());
      }
    }
  }

  /** Thrown from the progress callback to stop the generator between batches. */
  private static final class Cancelled extends RuntimeException {
    Cancelled() {
      super("cancelled", null, false, false);
    }
  }
}
