package dev.vvtq.qat.jobs;

import dev.vvtq.artifacts.manifest.ArtifactKinds;
import dev.vvtq.artifacts.manifest.Manifest;
import dev.vvtq.artifacts.store.ArtifactLayout;
import dev.vvtq.artifacts.store.ArtifactStore;
import dev.vvtq.imaging.Normalization;
import dev.vvtq.imaging.RandomResizedCrop;
import dev.vvtq.qat.data.ImageFolder;
import dev.vvtq.qat.softlabel.GenerationProgress;
import dev.vvtq.qat.softlabel.ModelTeacher;
import dev.vvtq.qat.softlabel.SoftLabelGenerator;
import dev.vvtq.qat.softlabel.SoftLabelManifest;
import dev.vvtq.qat.softlabel.SoftLabelSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The soft-label use case ({@code vvtq label}, the pipeline's label stage, the trainer service's
 * label jobs): a teacher checkpoint labels crops of every training image into a resumable folder,
 * which is then published as {@code softlabels/<name>} when a name is given.
 */
public final class SoftLabelJob {
  public static final int DEFAULT_CROPS = 10;
  public static final int DEFAULT_TOPK = 5;
  public static final int DEFAULT_BATCH_SIZE = 256;
  public static final long DEFAULT_SEED = 0;
  /** torchvision's smallest RandomResizedCrop area fraction. */
  public static final double DEFAULT_MIN_CROP_SCALE = 0.08;

  private SoftLabelJob() {}

  /**
   * What to label.
   *
   * @param teacher the teacher checkpoint (a folder, a file or a store key such as {@code runs/<id>@best})
   * @param teacherModel the architecture the caller expects the teacher to be, or null for any
   * @param data the ImageFolder root; its {@code train} split is labelled
   * @param out the resumable output folder (finished shards are kept and reused)
   * @param inputSize side of the crops fed to the teacher; 0 for the teacher's own input size
   * @param minCropScale smallest crop area fraction of the RandomResizedCrop boxes
   * @param publishAs the name to publish as {@code softlabels/<name>}, or null to keep the folder only
   */
  public record Spec(String teacher, String teacherModel, Path data, Path out, int crops, int topK, long seed,
      int inputSize, int batchSize, double minCropScale, String publishAs) {
    public Spec {
      if (teacher == null || teacher.isBlank()) {
        throw new IllegalArgumentException("teacher: a checkpoint (runs/<id>@best, a folder or a file) is required");
      }
      if (data == null || out == null) {
        throw new IllegalArgumentException("data and out folders are required");
      }
      if (crops < 1 || topK < 1 || batchSize < 1 || inputSize < 0) {
        throw new IllegalArgumentException("crops, top-k and batch size must be >= 1 and input size >= 0, got crops="
            + crops + " topk=" + topK + " batch=" + batchSize + " input=" + inputSize);
      }
      if (!(minCropScale > 0 && minCropScale <= 1)) {
        throw new IllegalArgumentException("min crop scale: in (0, 1], got " + minCropScale);
      }
      if (publishAs != null && !ArtifactLayout.isValidSegment(publishAs)) {
        throw new IllegalArgumentException("soft-label name: 1 to 128 letters, digits, '.', '_' or '-', got '" + publishAs + "'");
      }
    }

    /** The defaults of {@code vvtq label} for everything but the teacher and the folders. */
    public static Spec defaults(String teacher, Path data, Path out) {
      return new Spec(teacher, null, data, out, DEFAULT_CROPS, DEFAULT_TOPK, DEFAULT_SEED, 0, DEFAULT_BATCH_SIZE,
          DEFAULT_MIN_CROP_SCALE, null);
    }
  }

  /** What a finished job produced; {@code published} is the store prefix, or null when not published. */
  public record Result(SoftLabelManifest manifest, String teacherDescription, String published, double seconds) {}

  /**
   * Runs the job: checks the teacher against the data, labels (resuming {@code spec.out()}), then
   * publishes. {@code cancelRequested} (may be null) is polled after each progress report (each batch
   * of crops and each finished shard): the job then stops with {@link JobCancelledException},
   * keeping the finished shards for a rerun.
   *
   * @param scratchParent where the fetched teacher goes (null: the system's temporary folder)
   */
  public static Result run(Spec spec, ArtifactStore store, Path scratchParent, Consumer<GenerationProgress> progress,
      BooleanSupplier cancelRequested) throws IOException {
    long start = System.nanoTime();
    ImageFolder train = ImageFolder.split(spec.data(), "train");
    SoftLabelManifest manifest;
    String description;
    try (OpenedCheckpoint teacher = OpenedCheckpoint.open(store, spec.teacher(), scratchParent)) {
      if (spec.teacherModel() != null && !spec.teacherModel().isEmpty()
          && !spec.teacherModel().equals(teacher.config().name())) {
        throw new IllegalArgumentException("teacher model " + spec.teacherModel() + " does not match the checkpoint's "
            + teacher.config().name());
      }
      teacher.requireClassCountOf(train);
      SoftLabelSpec generation = new SoftLabelSpec(spec.crops(), spec.topK(), spec.seed(),
          spec.inputSize() > 0 ? spec.inputSize() : teacher.config().imgSize(), 1000, spec.batchSize(),
          new RandomResizedCrop(spec.minCropScale(), 1.0, 3.0 / 4.0, 4.0 / 3.0), Normalization.IMAGENET);
      description = spec.teacher() + " (" + teacher.config().name() + " " + teacher.config().bitsLabel() + ")";
      manifest = new SoftLabelGenerator(generation).generate(train, new ModelTeacher(teacher.model()), description,
          teacher.model().manager(), spec.out(), p -> {
            if (progress != null) {
              progress.accept(p);
            }
            if (cancelRequested != null && cancelRequested.getAsBoolean()) {
              throw new JobCancelledException("cancelled; finished shards are kept in " + spec.out()
                  + " and reused by the same job");
            }
          });
    }
    String published = null;
    if (spec.publishAs() != null) {
      published = publish(store, spec.out(), ArtifactLayout.softLabels(spec.publishAs()), spec.teacher(), manifest);
    }
    return new Result(manifest, description, published, (System.nanoTime() - start) / 1e9);
  }

  /** Publishes every file of the folder but a store manifest (the store writes its own). */
  private static String publish(ArtifactStore store, Path folder, String prefix, String teacher, SoftLabelManifest m)
      throws IOException {
    Map<String, Path> files = new LinkedHashMap<>();
    try (Stream<Path> list = Files.list(folder)) {
      list.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().equals(Manifest.FILE_NAME)).sorted()
          .forEach(f -> files.put(f.getFileName().toString(), f));
    }
    store.publish(prefix, ArtifactKinds.SOFT_LABELS, files,
        Map.of("teacher", teacher, "crops", m.cropsPerImage(), "topk", m.topK()));
    return prefix;
  }
}
