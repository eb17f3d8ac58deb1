package dev.vvtq.qat.jobs;

import dev.vvtq.artifacts.store.ArtifactStore;
import dev.vvtq.qat.data.DataLoader;
import dev.vvtq.qat.data.ImageFolder;
import dev.vvtq.qat.data.ImageFolderSource;
import dev.vvtq.qat.data.LoaderOptions;
import dev.vvtq.qat.data.SampleSource;
import dev.vvtq.qat.data.SubsetSource;
import dev.vvtq.qat.eval.AccuracyAccumulator;
import dev.vvtq.qat.eval.EvaluationResult;
import dev.vvtq.qat.eval.Evaluator;
import dev.vvtq.qat.model.DeitConfig;
import dev.vvtq.qat.model.QuantDeit;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * The checkpoint-evaluation use case ({@code vvtq evaluate}, the pipeline's evaluate stage, the
 * eval service's DJL scorer): a float or fake-quantized checkpoint scored on an ImageFolder split
 * with the model's own evaluation transform, as validation during training scores it.
 */
public final class CheckpointEvaluation {
  public static final String DEFAULT_SPLIT = "val";
  public static final int DEFAULT_BATCH_SIZE = 256;

  private CheckpointEvaluation() {}

  /**
   * What to score.
   *
   * @param split the ImageFolder split, e.g. {@code val}
   * @param limit this many evenly spaced images only; 0 for all
   * @param loaderThreads decoding threads
   */
  public record Spec(String checkpoint, Path data, String split, int limit, int batchSize, int loaderThreads) {
    public Spec {
      if (checkpoint == null || checkpoint.isBlank() || data == null || split == null || split.isBlank()) {
        throw new IllegalArgumentException("a checkpoint, a data folder and a split are required");
      }
      if (limit < 0 || batchSize < 1 || loaderThreads < 0) {
        throw new IllegalArgumentException("limit >= 0, batch size >= 1 and loader threads >= 0, got " + limit + ", "
            + batchSize + ", " + loaderThreads);
      }
    }
  }

  /** The scores, with the architecture scored, the model file's SHA-256 and the split's folder. */
  public record Result(EvaluationResult result, DeitConfig config, String modelSha256, Path splitRoot) {}

  /** Told after each batch: the running accuracy (not to be kept) and the number of images to score. */
  public interface Progress {
    void afterBatch(AccuracyAccumulator accuracy, int images);
  }

  /** The images of {@code split} as {@code model} is scored on them (its own crop_pct): {@code limit} evenly spaced ones (0: all). */
  public static SampleSource source(QuantDeit model, ImageFolder split, int limit) {
    return SubsetSource.limit(ImageFolderSource.evaluation(split, model.config().evalPreprocessor(), null), limit);
  }

  /** Scores {@code model} on {@code source}; {@code afterBatch} (may be null) sees the running accuracy. */
  public static EvaluationResult score(QuantDeit model, SampleSource source, List<String> classNames, int batchSize,
      int loaderThreads, Consumer<AccuracyAccumulator> afterBatch) {
    try (DataLoader loader = new DataLoader(source, LoaderOptions.evaluation(batchSize, loaderThreads))) {
      return Evaluator.evaluateTracked(model, loader, classNames, afterBatch);
    }
  }

  /**
   * Opens the checkpoint, checks it against the data's classes, and scores it; {@code opened} (may
   * be null) sees the checkpoint before scoring starts, so a caller can check it against its own
   * expectations.
   */
  public static Result run(Spec spec, ArtifactStore store, Path scratchParent, Consumer<OpenedCheckpoint> opened,
      Progress progress) throws IOException {
    ImageFolder folder = ImageFolder.split(spec.data(), spec.split());
    try (OpenedCheckpoint c = OpenedCheckpoint.open(store, spec.checkpoint(), scratchParent)) {
      if (opened != null) {
        opened.accept(c);
      }
      c.requireClassCountOf(folder);
      SampleSource source = source(c.model(), folder, spec.limit());
      EvaluationResult r = score(c.model(), source, folder.classes(), spec.batchSize(), spec.loaderThreads(),
          progress == null ? null : acc -> progress.afterBatch(acc, source.size()));
      return new Result(r, c.config(), c.modelSha256(), folder.root());
    }
  }
}
