package dev.vvtq.inference.testing;

import dev.vvtq.inference.model.IntEngineRunnerFactory;
import dev.vvtq.inference.model.ModelDescription;
import dev.vvtq.inference.model.ModelRunner;
import dev.vvtq.inference.model.ModelRunnerFactory;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The real engine made slow: each engine call first sleeps {@code vvtq.test.compute-delay-ms}, so
 * that overload and deadline tests can fill queues on a tiny model. Counts the images computed.
 * An alternative enabled only by the test profiles that need it ({@code SlowModelProfile}).
 */
@Alternative
@Singleton
public class SlowEngineRunnerFactory implements ModelRunnerFactory {
  /** Images computed by every slow runner since the JVM started. */
  public static final AtomicLong IMAGES_COMPUTED = new AtomicLong();

  private final IntEngineRunnerFactory engine;
  private final long delayMillis;

  @Inject
  public SlowEngineRunnerFactory(IntEngineRunnerFactory engine,
      @ConfigProperty(name = "vvtq.test.compute-delay-ms", defaultValue = "0") long delayMillis) {
    this.engine = engine;
    this.delayMillis = delayMillis;
  }

  @Override
  public ModelRunner open(Path modelDir) throws IOException {
    ModelRunner runner = engine.open(modelDir);
    return new ModelRunner() {
      @Override
      public ModelDescription description() {
        return runner.description();
      }

      @Override
      public String backend() {
        return runner.backend();
      }

      @Override
      public float[] logits(float[] images, int n) {
        try {
          Thread.sleep(delayMillis);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        float[] out = runner.logits(images, n);
        IMAGES_COMPUTED.addAndGet(n);
        return out;
      }

      @Override
      public void warmUp() {
        runner.warmUp();
      }

      @Override
      public void close() {
        runner.close();
      }
    };
  }
}
