package dev.vvtq.inference.model;

import dev.vvtq.engine.BackendChoice;
import dev.vvtq.engine.EngineOptions;
import dev.vvtq.engine.IntDeit;
import dev.vvtq.engine.WarmUpReport;
import dev.vvtq.engine.model.ExportedModel;
import dev.vvtq.inference.app.InferenceConfig;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.logging.Logger;

/**
 * Opens exported models with the integer engine ({@link IntDeit}) on {@code
 * vvtq.inference.engine.backend} (default {@code auto}: oneDNN where its natives load, else java), {@code
 * vvtq.inference.engine.threads} compute threads per model (default: every processor). One forward pass at a time per model: the
 * model's batcher is its only caller.
 */
@Singleton
public class IntEngineRunnerFactory implements ModelRunnerFactory {
  private static final Logger LOG = Logger.getLogger(IntEngineRunnerFactory.class.getName());

  private final EngineOptions options;
  private final Duration warmUpBudget;

  @Inject
  public IntEngineRunnerFactory(InferenceConfig config) {
    this(options(config.engine().threads().orElse(Runtime.getRuntime().availableProcessors()))
            .withBackend(BackendChoice.parse(config.engine().backend())),
        config.engine().warmUpBudget());
  }

  /**
   * A factory outside CDI.
   *
   * @param warmUpBudget the longest warm-up of one model ({@link IntDeit#warmUp(Duration)})
   */
  public IntEngineRunnerFactory(EngineOptions options, Duration warmUpBudget) {
    this.options = options;
    this.warmUpBudget = warmUpBudget;
  }

  /** The service's engine options for {@code threads} compute threads. */
  public static EngineOptions options(int threads) {
    return EngineOptions.defaults().withThreads(threads).withParallelCalls(1);
  }

  public EngineOptions options() {
    return options;
  }

  @Override
  public ModelRunner open(Path modelDir) throws IOException {
    ExportedModel model;
    try {
      // Verifies the manifest and the file's sha256 again, then validates the metadata and every tensor.
      model = ExportedModel.load(modelDir);
    } catch (dev.vvtq.engine.model.ModelFormatException e) {
      throw new ModelFormatException(e.getMessage(), e);
    }
    ModelDescription description = ModelDescription.of(model);
    return new IntEngineRunner(IntDeit.of(model, options), description, modelDir, warmUpBudget);
  }

  /** A loaded engine behind the {@link ModelRunner} interface. */
  static final class IntEngineRunner implements ModelRunner {
    private final IntDeit engine;
    private final ModelDescription description;
    private final Path dir;
    private final Duration warmUpBudget;

    IntEngineRunner(IntDeit engine, ModelDescription description, Path dir, Duration warmUpBudget) {
      this.engine = engine;
      this.description = description;
      this.dir = dir;
      this.warmUpBudget = warmUpBudget;
    }

    @Override
    public ModelDescription description() {
      return description;
    }

    @Override
    public String backend() {
      return engine.backendName();
    }

    @Override
    public float[] logits(float[] images, int n) {
      float[] out = new float[n * engine.numClasses()];
      engine.forward(images, 0, n, out, 0);
      return out;
    }

    /** Runs the engine until the JIT has compiled its kernels (until then it runs ~100x slower). */
    @Override
    public void warmUp() {
      WarmUpReport r = engine.warmUp(warmUpBudget);
      String summary = String.format(Locale.ROOT,
          "%s: engine warm-up (backend %s, %s, %d threads): %d passes in %.1f s, first %.2f ms, settled %.2f ms per image",
          dir, engine.backendName(), engine.kernelsName(), engine.options().threads(), r.passes(), r.seconds(), r.firstMillis(), r.settledMillis());
      if (r.allocatedBytesPerPass() > 0) {
        // JDK 17's C2 can compile a Vector API kernel without intrinsics (int-engine/README.md).
        LOG.warning(summary + "; a pass still allocates " + r.allocatedBytesPerPass() + " bytes: some kernels did not"
            + " compile as they should and the engine is slow; restart the JVM, or run on JDK 21+");
      } else if (!r.settled()) {
        LOG.warning(summary + "; the time per pass had not settled when the warm-up budget (" + warmUpBudget + ") ran out");
      } else {
        LOG.info(summary);
      }
    }

    @Override
    public void close() {
      engine.close();
    }
  }
}
