package dev.vvtq.inference.registry;

import dev.vvtq.imaging.EvalPreprocessor;
import dev.vvtq.inference.batching.DynamicBatcher;
import dev.vvtq.inference.model.ModelDescription;
import dev.vvtq.inference.model.ModelRunner;
import java.time.Duration;
import java.time.Instant;

/** A model that has been loaded and warmed up, with the batcher that feeds its runner. */
public final class LoadedModel {
  private final ModelSource source;
  private final String sha256;
  private final ModelRunner runner;
  private final DynamicBatcher batcher;
  private final Instant readySince;
  private final EvalPreprocessor preprocessor;

  LoadedModel(ModelSource source, String sha256, ModelRunner runner, DynamicBatcher batcher, Instant readySince) {
    this.source = source;
    this.sha256 = sha256;
    this.runner = runner;
    this.batcher = batcher;
    this.readySince = readySince;
    this.preprocessor = runner.description().evalPreprocessor();
  }

  public String name() {
    return source.name();
  }

  public String version() {
    return source.version();
  }

  public ModelSource source() {
    return source;
  }

  public ModelDescription description() {
    return runner.description();
  }

  /** The engine backend computing this model. */
  public String backend() {
    return runner.backend();
  }

  public String sha256() {
    return sha256;
  }

  /** Decoding-side preprocessing for encoded images sent to this model. */
  public EvalPreprocessor preprocessor() {
    return preprocessor;
  }

  /** The engine behind the batcher; requests go through {@link #batcher()}. */
  ModelRunner runner() {
    return runner;
  }

  public DynamicBatcher batcher() {
    return batcher;
  }

  public Instant readySince() {
    return readySince;
  }

  /** Finishes queued requests (up to {@code drain}), then releases the runner. */
  boolean shutdown(Duration drain) {
    try {
      return batcher.close(drain);
    } finally {
      runner.close();
    }
  }
}
