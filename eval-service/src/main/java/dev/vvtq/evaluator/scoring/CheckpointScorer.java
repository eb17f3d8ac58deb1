package dev.vvtq.evaluator.scoring;

import ai.djl.ndarray.NDManager;
import dev.vvtq.proto.v1.EvalEngine;
import dev.vvtq.qat.checkpoint.LoadedCheckpoint;
import dev.vvtq.qat.checkpoint.ModelWeights;
import dev.vvtq.qat.data.DataLoader;
import dev.vvtq.qat.data.ImageFolder;
import dev.vvtq.qat.data.ImageFolderSource;
import dev.vvtq.qat.data.LoaderOptions;
import dev.vvtq.qat.data.SampleSource;
import dev.vvtq.qat.data.SubsetSource;
import dev.vvtq.qat.eval.AccuracyAccumulator;
import dev.vvtq.qat.eval.EvaluationResult;
import dev.vvtq.qat.eval.Evaluator;
import dev.vvtq.qat.model.QuantDeit;
import java.io.IOException;
import java.util.List;
import java.util.function.Consumer;

/** A training checkpoint (float or fake-quantized) scored with the library's evaluator on DJL. */
final class CheckpointScorer implements ArtifactScorer {
  private final NDManager manager;
  private final QuantDeit model;
  private final String sha256;
  private final int loaderThreads;

  private CheckpointScorer(NDManager manager, QuantDeit model, String sha256, int loaderThreads) {
    this.manager = manager;
    this.model = model;
    this.sha256 = sha256;
    this.loaderThreads = loaderThreads;
  }

  static CheckpointScorer open(LoadedCheckpoint c, int loaderThreads) throws IOException {
    NDManager manager = NDManager.newBaseManager();
    try {
      QuantDeit model = ModelWeights.load(c.modelFile(), manager);
      String sha = c.manifest() == null ? "" : c.manifest().file("model.safetensors").map(f -> f.sha256()).orElse("");
      return new CheckpointScorer(manager, model, sha, loaderThreads);
    } catch (IOException | RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  @Override
  public EvalEngine engine() {
    return EvalEngine.EVAL_ENGINE_DJL;
  }

  @Override
  public String backend() {
    return "djl";
  }

  @Override
  public int numClasses() {
    return model.config().numClasses();
  }

  @Override
  public SampleSource source(ImageFolder split, int limit) {
    // The model's own crop_pct, as validation during training uses it.
    return SubsetSource.limit(ImageFolderSource.evaluation(split, model.config().evalPreprocessor(), null), limit);
  }

  @Override
  public String sha256() {
    return sha256;
  }

  @Override
  public EvaluationResult score(SampleSource source, List<String> classNames, int batchSize,
      Consumer<AccuracyAccumulator> afterBatch) {
    try (DataLoader loader = new DataLoader(source, LoaderOptions.evaluation(batchSize, loaderThreads))) {
      return Evaluator.evaluateTracked(model, loader, classNames, afterBatch);
    }
  }

  @Override
  public void close() {
    model.close();
    manager.close();
  }
}
