package dev.vvtq.engineeval;

import dev.vvtq.engine.IntDeit;
import dev.vvtq.engine.model.ExportedModel;
import dev.vvtq.imaging.EvalPreprocessor;
import dev.vvtq.imaging.Normalization;
import dev.vvtq.qat.data.ImageFolder;
import dev.vvtq.qat.data.ImageFolderSource;
import dev.vvtq.qat.data.Sample;
import dev.vvtq.qat.data.SampleSource;
import dev.vvtq.qat.data.SubsetSource;
import dev.vvtq.qat.eval.AccuracyAccumulator;
import dev.vvtq.qat.eval.EvaluationResult;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Top-1 / top-5 of an exported integer model with the int-engine over an ImageFolder split, with the
 * model's own evaluation preprocessing (input size, {@code crop_pct}, mean and std from the export's
 * metadata). No DJL on this path. Shared by {@code vvtq evaluate --engine int} and the eval-service.
 */
public final class EngineEvaluation {
  private EngineEvaluation() {}

  /** The evaluation preprocessing an exported model declares: resize to img/crop_pct, centre crop, normalise. */
  public static EvalPreprocessor preprocessor(ExportedModel model) {
    return new EvalPreprocessor(model.config().imgSize(), model.cropPct(), new Normalization(model.mean(), model.std()));
  }

  /** The split as evaluation samples for {@code model} ({@code limit} evenly spaced images, 0 = all). */
  public static SampleSource source(ExportedModel model, ImageFolder split, int limit) {
    return SubsetSource.limit(ImageFolderSource.evaluation(split, preprocessor(model), null), limit);
  }

  /**
   * Why {@code split} cannot be scored by {@code model}, if it cannot: a different number of classes.
   * (Class names are not compared: a dataset may name its folders differently; see {@link
   * #classNameMismatch}.)
   */
  public static Optional<String> classCountMismatch(ExportedModel model, ImageFolder split) {
    int k = model.config().numClasses();
    return k == split.numClasses() ? Optional.empty()
        : Optional.of("the model " + model.dir() + " has " + k + " classes but " + split.root() + " has "
            + split.numClasses());
  }

  /** A note when the split's class folders are not the model's class names, in order. */
  public static Optional<String> classNameMismatch(ExportedModel model, ImageFolder split) {
    List<String> mine = model.classNames();
    List<String> theirs = split.classes();
    if (mine.equals(theirs)) {
      return Optional.empty();
    }
    for (int i = 0; i < Math.min(mine.size(), theirs.size()); i++) {
      if (!mine.get(i).equals(theirs.get(i))) {
        return Optional.of("class " + i + " of the model is '" + mine.get(i) + "' but folder " + i + " of "
            + split.root() + " is '" + theirs.get(i) + "': labels are matched by position");
      }
    }
    return Optional.of("the model has " + mine.size() + " class names, " + split.root() + " " + theirs.size()
        + " class folders");
  }

  /**
   * Scores every image of {@code source} in batches of {@code batchSize}; {@code afterBatch} (may be
   * null) sees the running accuracy after each batch and must not keep it.
   */
  public static EvaluationResult evaluate(IntDeit engine, SampleSource source, List<String> classNames, int batchSize,
      Consumer<AccuracyAccumulator> afterBatch) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
    }
    if (source.numClasses() != engine.numClasses()) {
      throw new IllegalArgumentException("the source has " + source.numClasses() + " classes but the model "
          + engine.numClasses());
    }
    long start = System.nanoTime();
    int per = engine.imageFloats();
    int classes = engine.numClasses();
    AccuracyAccumulator acc = new AccuracyAccumulator(classes);
    float[] images = new float[Math.min(batchSize, Math.max(1, source.size())) * per];
    float[] logits = new float[images.length / per * classes];
    for (int first = 0; first < source.size(); first += batchSize) {
      int count = Math.min(batchSize, source.size() - first);
      int[] labels = new int[count];
      for (int i = 0; i < count; i++) {
        Sample s = source.load(first + i, null).get(0);
        if (s.image().length != per) {
          throw new IllegalArgumentException("sample " + (first + i) + " has " + s.image().length
              + " floats; the model takes " + per);
        }
        System.arraycopy(s.image(), 0, images, i * per, per);
        labels[i] = s.label();
      }
      engine.forward(images, 0, count, logits, 0);
      acc.add(logits.length == count * classes ? logits : Arrays.copyOf(logits, count * classes), labels);
      if (afterBatch != null) {
        afterBatch.accept(acc);
      }
    }
    return acc.result(classNames, (System.nanoTime() - start) / 1e9);
  }
}
