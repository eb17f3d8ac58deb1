package dev.vvtq.evaluator.scoring;

import dev.vvtq.engine.EngineOptions;
import dev.vvtq.engine.IntDeit;
import dev.vvtq.engine.model.ExportedModel;
import dev.vvtq.imaging.EvalPreprocessor;
import dev.vvtq.imaging.Normalization;
import dev.vvtq.proto.v1.EvalEngine;
import dev.vvtq.qat.data.ImageFolder;
import dev.vvtq.qat.data.ImageFolderSource;
import dev.vvtq.qat.data.SampleSource;
import dev.vvtq.qat.data.SubsetSource;
import dev.vvtq.qat.eval.AccuracyAccumulator;
import dev.vvtq.qat.eval.EvaluationResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import java.util.function.Consumer;

/**
 * An exported integer model scored with the int-engine: the same images and preprocessing as the
 * model's own metadata says (input size, crop_pct, mean/std), no DJL on this path.
 */
public final class IntModelScorer implements ArtifactScorer {
  /** Engine settings. */
  public record Options(OptionalInt threads) {}

  private final IntDeit engine;
  private final ExportedModel model;

  private IntModelScorer(IntDeit engine, ExportedModel model) {
    this.engine = engine;
    this.model = model;
  }

  static IntModelScorer open(Path dir, Options options) throws IOException {
    // ExportedModel.load checks the manifest and the file's sha256 before reading any tensor.
    ExportedModel model = ExportedModel.load(dir);
    EngineOptions o = EngineOptions.defaults();
    if (options.threads().isPresent()) {
      o = o.withThreads(options.threads().getAsInt());
    }
    return new IntModelScorer(IntDeit.of(model, o), model);
  }

  @Override
  public EvalEngine engine() {
    return EvalEngine.EVAL_ENGINE_INT;
  }

  @Override
  public int numClasses() {
    return engine.numClasses();
  }

  @Override
  public SampleSource source(ImageFolder split, int limit) {
    EvalPreprocessor pre = new EvalPreprocessor(engine.config().imgSize(), model.cropPct(),
        new Normalization(model.mean(), model.std()));
    return SubsetSource.limit(ImageFolderSource.evaluation(split, pre, null), limit);
  }

  @Override
  public String sha256() {
    return model.sha256();
  }

  @Override
  public EvaluationResult score(SampleSource source, List<String> classNames, int batchSize,
      Consumer<AccuracyAccumulator> afterBatch) {
    long start = System.nanoTime();
    int per = engine.imageFloats();
    AccuracyAccumulator acc = new AccuracyAccumulator(engine.numClasses());
    float[] images = new float[batchSize * per];
    for (int first = 0; first < source.size(); first += batchSize) {
      int count = Math.min(batchSize, source.size() - first);
      int[] labels = new int[count];
      for (int i = 0; i < count; i++) {
        dev.vvtq.qat.data.Sample s = source.load(first + i, null).get(0);
        System.arraycopy(s.image(), 0, images, i * per, per);
        labels[i] = s.label();
      }
      float[] logits = new float[count * engine.numClasses()];
      engine.forward(images, 0, count, logits, 0);
      acc.add(logits, labels);
      if (afterBatch != null) {
        afterBatch.accept(acc);
      }
    }
    return acc.result(classNames, (System.nanoTime() - start) / 1e9);
  }

  @Override
  public void close() {
    engine.close();
  }
}
