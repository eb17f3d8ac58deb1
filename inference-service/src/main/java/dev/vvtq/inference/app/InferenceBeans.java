package dev.vvtq.inference.app;

import dev.vvtq.artifacts.store.ArtifactStore;
import dev.vvtq.artifacts.store.ArtifactStores;
import dev.vvtq.inference.batching.BatchingOptions;
import dev.vvtq.inference.model.ModelRunnerFactory;
import dev.vvtq.inference.registry.ModelLoader;
import dev.vvtq.inference.registry.ModelRegistry;
import dev.vvtq.inference.serving.ImageSizeGuard;
import dev.vvtq.inference.serving.InferencePipeline;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Builds the plain library objects the gRPC services use, from {@link InferenceConfig}. */
@ApplicationScoped
public class InferenceBeans {

  @Produces
  @Singleton
  ArtifactStore artifactStore(InferenceConfig config) {
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
  ModelRegistry modelRegistry(ArtifactStore store, ModelRunnerFactory factory, InferenceConfig config,
      InferenceMetrics metrics) {
    InferenceConfig.Batching batching = config.batching();
    return new ModelRegistry(new ModelLoader(store, config.cacheDir(), factory), name -> batching(batching, name),
        config.drainTimeout(), metrics);
  }

  void closeModelRegistry(@Disposes ModelRegistry registry) {
    registry.close();
  }

  /** The batching of one model: its own settings where given, the server's otherwise. */
  static BatchingOptions batching(InferenceConfig.Batching b, String model) {
    InferenceConfig.ModelBatching m = b.model().get(model);
    boolean enabled = m != null && m.enabled().isPresent() ? m.enabled().get() : b.enabled();
    int capacity = m != null ? m.queueCapacity().orElse(b.queueCapacity()) : b.queueCapacity();
    if (!enabled) {
      return BatchingOptions.disabled(capacity);
    }
    return new BatchingOptions(
        m != null ? m.maxBatchSize().orElse(b.maxBatchSize()) : b.maxBatchSize(),
        m != null ? m.maxQueueDelayMicros().orElse(b.maxQueueDelayMicros()) : b.maxQueueDelayMicros(),
        capacity);
  }

  /** Decoding and preprocessing: bounded in threads; its queue is bounded by the models' queue slots. */
  @Produces
  @Singleton
  @Preprocessing
  ExecutorService preprocessExecutor(InferenceConfig config) {
    int threads = config.preprocessThreads().orElse(Runtime.getRuntime().availableProcessors());
    AtomicInteger count = new AtomicInteger();
    return new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
      Thread t = new Thread(r, "vvtq-preprocess-" + count.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  void closePreprocessExecutor(@Disposes @Preprocessing ExecutorService executor) {
    executor.shutdown();
  }

  @Produces
  @Singleton
  ImageSizeGuard imageSizeGuard(InferenceConfig config) {
    return new ImageSizeGuard(config.maxImagePixels());
  }

  @Produces
  @Singleton
  InferencePipeline pipeline(@Preprocessing ExecutorService executor) {
    return new InferencePipeline(executor);
  }
}
