package dev.vvtq.evaluator.scoring;

import dev.vvtq.proto.v1.EvalEngine;
import dev.vvtq.qat.data.SampleSource;
import dev.vvtq.qat.eval.AccuracyAccumulator;
import dev.vvtq.qat.eval.EvaluationResult;
import java.util.List;
import java.util.function.Consumer;

/** A checkpoint or exported model opened for scoring on one engine. */
public interface ArtifactScorer extends AutoCloseable {
  EvalEngine engine();

  /** What computes the scores: {@code djl}, or the integer engine's backend ({@code java}, {@code onednn}). */
  String backend();

  int numClasses();

  /** The evaluation source for an ImageFolder split, preprocessed as this artifact expects. */
  SampleSource source(dev.vvtq.qat.data.ImageFolder split, int limit);

  /** SHA-256 of the scored weights file, as verified against the artifact's manifest. */
  String sha256();

  /** Scores every image of {@code source}; {@code afterBatch} sees the running accuracy. */
  EvaluationResult score(SampleSource source, List<String> classNames, int batchSize, Consumer<AccuracyAccumulator> afterBatch);

  @Override
  void close();
}
