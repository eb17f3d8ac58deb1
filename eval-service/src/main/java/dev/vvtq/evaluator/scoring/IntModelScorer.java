package dev.vvtq.evaluator.scoring;

import dev.vvtq.engine.BackendChoice;
import dev.vvtq.engine.EngineOptions;
import dev.vvtq.engine.IntDeit;
import dev.vvtq.engine.model.ExportedModel;
import dev.vvtq.engineeval.EngineEvaluation;
import dev.vvtq.proto.v1.EvalEngine;
import dev.vvtq.qat.data.ImageFolder;
import dev.vvtq.qat.data.SampleSource;
import dev.vvtq.qat.eval.AccuracyAccumulator;
import dev.vvtq.qat.eval.EvaluationResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import java.util.function.Consumer;

/**
 * An exported integer model scored with the int-engine: the same images and preprocessing as the
 * model's own metadata says (input size, crop_pct, mean/std), no DJL on this path. The scoring itself
 * is engine-eval's {@link EngineEvaluation}, which {@code vvtq evaluate --engine int} uses too.
 */
public final class IntModelScorer implements ArtifactScorer {
  /**
   * Engine settings.
   *
   * @param backend {@code auto}, {@code java} or {@code onednn} ({@link BackendChoice})
   */
  public record Options(OptionalInt threads, String backend) {}

  private final IntDeit engine;
  private final ExportedModel model;

  private IntModelScorer(IntDeit engine, ExportedModel model) {
    this.engine = engine;
    this.model = model;
  }

  static IntModelScorer open(Path dir, Options options) throws IOException {
    // ExportedModel.load checks the manifest and the file's sha256 before reading any tensor.
    ExportedModel model = ExportedModel.load(dir);
    EngineOptions o = EngineOptions.defaults().withBackend(BackendChoice.parse(options.backend()));
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
  public String backend() {
    return engine.backendName();
  }

  @Override
  public int numClasses() {
    return engine.numClasses();
  }

  @Override
  public SampleSource source(ImageFolder split, int limit) {
    return EngineEvaluation.source(model, split, limit);
  }

  @Override
  public String sha256() {
    return model.sha256();
  }

  @Override
  public EvaluationResult score(SampleSource source, List<String> classNames, int batchSize,
      Consumer<AccuracyAccumulator> afterBatch) {
    return EngineEvaluation.evaluate(engine, source, classNames, batchSize, afterBatch);
  }

  @Override
  public void close() {
    engine.close();
  }
}
