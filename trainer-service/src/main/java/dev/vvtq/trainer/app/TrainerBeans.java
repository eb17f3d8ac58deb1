package dev.vvtq.trainer.app;

import dev.vvtq.artifacts.store.ArtifactStore;
import dev.vvtq.artifacts.store.ArtifactStores;
import dev.vvtq.trainer.artifacts.CheckpointCatalog;
import dev.vvtq.trainer.artifacts.ModelExports;
import dev.vvtq.trainer.jobs.JobManager;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Builds the library objects the gRPC service uses, from {@link TrainerConfig}. */
@ApplicationScoped
public class TrainerBeans {

  @Produces
  @Singleton
  ArtifactStore artifactStore(TrainerConfig config) {
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
  JobManager jobManager(ArtifactStore store, TrainerConfig config, TrainerMetrics metrics) {
    return new JobManager(store, config.store().location(), config.workDir(), config.concurrency(),
        config.progressInterval(), metrics);
  }

  void closeJobManager(@Disposes JobManager jobs, TrainerConfig config) {
    jobs.shutdown(config.shutdownTimeout());
  }

  @Produces
  @Singleton
  CheckpointCatalog checkpointCatalog(ArtifactStore store) {
    return new CheckpointCatalog(store);
  }

  @Produces
  @Singleton
  ModelExports modelExports(ArtifactStore store, TrainerConfig config) {
    return new ModelExports(store, config.workDir().resolve("exports"));
  }
}
