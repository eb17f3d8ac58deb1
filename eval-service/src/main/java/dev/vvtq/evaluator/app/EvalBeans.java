package dev.vvtq.evaluator.app;

import dev.vvtq.artifacts.store.ArtifactStore;
import dev.vvtq.artifacts.store.ArtifactStores;
import dev.vvtq.evaluator.scoring.EvaluationRecords;
import dev.vvtq.evaluator.scoring.EvaluationRunner;
import dev.vvtq.evaluator.scoring.EvaluationSlots;
import dev.vvtq.evaluator.scoring.Scorers;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
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

  /**
   * At shutdown, running evaluations stop at their next batch before the JVM exits (a DJL forward
   * pass must not be running when it does); within the shutdown timeout, less a margin.
   */
  void stopEvaluations(@Observes ShutdownEvent event, EvaluationRunner runner)
      throws InterruptedException {
    int left = runner.stopAll(SHUTDOWN_WAIT);
    if (left > 0) {
      java.util.logging.Logger.getLogger(EvalBeans.class.getName())
          .warning(left + " evaluation(s) did not stop within " + SHUTDOWN_WAIT.toSeconds() + " s of the shutdown");
    }
  }

  /** Below quarkus.shutdown.timeout (30 s), so the wait ends before Quarkus gives up. */
  private static final java.time.Duration SHUTDOWN_WAIT = java.time.Duration.ofSeconds(25);
}
