package dev.vvtq.evaluator.app;

import dev.vvtq.artifacts.store.ArtifactStore;
import dev.vvtq.artifacts.store.ArtifactStores;
import dev.vvtq.evaluator.scoring.EvaluationRecords;
import dev.vvtq.evaluator.scoring.EvaluationRunner;
import dev.vvtq.evaluator.scoring.EvaluationSlots;
import dev.vvtq.evaluator.scoring.Scorers;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Builds the library objects the gRPC service uses, from {@link EvalConfig}. */
@ApplicationScoped
public class EvalBeans {

  @Produces
  @Singleton
  ArtifactStore artifactStore(EvalConfig config) {
    try {
      return ArtifactStores.open(config.store().location(), config.store().s3());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the artifact store " + config.store().location(), e);
    }
  }

  void closeArtifactStore(@Disposes ArtifactStore store) throws IOException {
    store.close();
  }

  @Produces
  @Singleton
  EvaluationRecords evaluationRecords(ArtifactStore store) {
    return new EvaluationRecords(store);
  }

  @Produces
  @Singleton
  EvaluationSlots evaluationSlots(EvalConfig config) {
    return new EvaluationSlots(config.maxConcurrent(), config.maxQueued());
  }

  @Produces
  @Singleton
  EvaluationRunner evaluationRunner(ArtifactStore store, EvaluationRecords records, EvaluationSlots slots, EvalConfig config,
      EvalServiceMetrics metrics) {
    Scorers scorers = new Scorers(store, config.loaderThreads(),
        new dev.vvtq.evaluator.scoring.IntModelScorer.Options(config.intEngineThreads(),
            config.intEngineBackend()));
    return new EvaluationRunner(scorers, records, slots, config.workDir(), config.batchSize(), config.progressInterval(),
        metrics);
  }
}
