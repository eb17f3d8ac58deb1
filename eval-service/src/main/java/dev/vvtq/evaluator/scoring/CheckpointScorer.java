package dev.vvtq.evaluator.scoring;

import dev.vvtq.proto.v1.EvalEngine;
import dev.vvtq.qat.data.ImageFolder;
import dev.vvtq.qat.data.SampleSource;
import dev.vvtq.qat.eval.AccuracyAccumulator;
import dev.vvtq.qat.eval.EvaluationResult;
import dev.vvtq.qat.jobs.CheckpointEvaluation;
import dev.vvtq.qat.jobs.OpenedCheckpoint;
import java.util.List;
import java.util.function.Consumer;

/** A training checkpoint (float or fake-quantized) scored by the library's checkpoint evaluation on DJL. */
final class CheckpointScorer implements ArtifactScorer {
  private final OpenedCheckpoint checkpoint;
  private final int loaderThreads;

  CheckpointScorer(OpenedCheckpoint checkpoint, int loaderThreads) {
    this.checkpoint = checkpoint;
    this.loaderThreads = loaderThreads;
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
    return checkpoint.config().numClasses();
  }

  @Override
  public SampleSource source(ImageFolder split, int limit) {
    return CheckpointEvaluation.source(checkpoint.model(), split, limit);
  }

  @Override
  public String sha256() {
    return checkpoint.modelSha256();
  }

  @Override
  public EvaluationResult score(SampleSource source, List<String> classNames, int batchSize,
      Consumer<AccuracyAccumulator> afterBatch) {
    return CheckpointEvaluation.score(checkpoint.model(), source, classNames, batchSize, loaderThreads, afterBatch);
  }

  @Override
  public void close() {
    checkpoint.close();
  }
}
