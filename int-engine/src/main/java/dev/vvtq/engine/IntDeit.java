package dev.vvtq.engine;

import dev.vvtq.engine.model.ExportedModel;
import dev.vvtq.engine.model.ModelConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Integer inference of an exported VVTQ DeiT (docs/EXPORT-FORMAT.md): normalised images in, logits out.
 *
 * <p>Thread-safe. Each forward pass runs on one of {@link EngineOptions#parallelCalls()} slots, each
 * with {@link EngineOptions#threads()} threads (the caller included) and buffers sized for {@link
 * EngineOptions#maxMicroBatch()} images; callers beyond the slots wait. Larger batches are processed in
 * pieces, so memory stays bounded. Steady-state passes allocate nothing. Call {@link #warmUp()} before
 * reporting a model ready: until the JIT has compiled the kernels they run about 100 times slower.
 *
 * <p>The work runs on the {@link InferenceBackend} that {@link EngineOptions#backend()} selects
 * ({@link #backendName()}); this class validates arguments and delegates.
 */
public final class IntDeit implements AutoCloseable {
  private final ModelConfig config;
  private final List<String> classNames;
  private final EngineOptions options;
  private final InferenceBackend backend;

  private IntDeit(ExportedModel exported, EngineOptions options) {
    this.config = exported.config();
    this.classNames = exported.classNames();
    this.options = options;
    this.backend = Backends.open(exported, options);
  }

  /** Loads and validates {@code models/<name>/<version>/} from a local folder and prepares it. */
  public static IntDeit load(Path modelDir, EngineOptions options) throws IOException {
    return new IntDeit(ExportedModel.load(modelDir), options);
  }

  /** Prepares an already loaded model; the engine keeps no reference to {@code model}. */
  public static IntDeit of(ExportedModel model, EngineOptions options) {
    return new IntDeit(model, options);
  }

  public ModelConfig config() {
    return config;
  }

  public List<String> classNames() {
    return classNames;
  }

  public EngineOptions options() {
    return options;
  }

  /** The backend in use: {@code java} or {@code onednn} (never {@code auto}). */
  public String backendName() {
    return backend.name();
  }

  /** What the backend runs on, e.g. {@code vector-512 kernels}. */
  public String kernelsName() {
    return backend.detail();
  }

  /** Floats of one input image: C x H x W, normalised with the model's mean and std. */
  public int imageFloats() {
    return config.imageFloats();
  }

  /** Logits per image. */
  public int numClasses() {
    return config.numClasses();
  }

  /** Logits of {@code count} images stored one after another in {@code images}. */
  public float[] forward(float[] images, int count) {
    float[] logits = new float[count * numClasses()];
    forward(images, 0, count, logits, 0);
    return logits;
  }

  /**
   * Logits of {@code count} images (C x H x W floats each, from {@code imagesOff}) into {@code
   * logits[logitsOff, logitsOff + count * numClasses())}. Allocates nothing once warm. Blocks while
   * every slot is busy; an interrupt while waiting raises {@link IllegalStateException} with the
   * interrupt flag set.
   */
  public void forward(float[] images, int imagesOff, int count, float[] logits, int logitsOff) {
    int per = imageFloats();
    int classes = numClasses();
    if (count < 0 || imagesOff < 0 || (long) imagesOff + (long) count * per > images.length) {
      throw new IllegalArgumentException(count + " images of " + per + " floats from " + imagesOff
          + " do not fit an input of " + images.length + " floats");
    }
    if (logitsOff < 0 || (long) logitsOff + (long) count * classes > logits.length) {
      throw new IllegalArgumentException(count + " x " + classes + " logits from " + logitsOff
          + " do not fit an output of " + logits.length + " floats");
    }
    if (count == 0) {
      return;
    }
    backend.forward(images, imagesOff, count, logits, logitsOff);
  }

  /** The k most probable classes of image {@code image} of a {@link #forward} result. */
  public List<Prediction> topK(float[] logits, int image, int k) {
    return TopK.of(logits, image * numClasses(), numClasses(), k, classNames);
  }

  /** {@link #warmUp(Duration)} with a 60-second budget. */
  public WarmUpReport warmUp() {
    return warmUp(Duration.ofSeconds(60));
  }

  /**
   * Runs single-image passes on synthetic input until the backend is at speed ({@link WarmUp} says
   * when), or {@code budget} is spent. Every concurrent slot runs at least once.
   */
  public WarmUpReport warmUp(Duration budget) {
    return backend.warmUp(budget);
  }

  /**
   * Time per {@link OpClass} since the previous call (or since warm-up); empty unless built with
   * {@link EngineOptions#withProfile(boolean)}.
   */
  public OpProfile profile() {
    return backend.profile();
  }

  /** Bytes of the prepared weight matrices (linear layers, patch embedding, head). */
  public long weightBytes() {
    return backend.weightBytes();
  }

  /** Bytes of everything the prepared model holds: weights, per-channel vectors, float parameters. */
  public long modelBytes() {
    return backend.modelBytes();
  }

  /** Bytes of the per-slot buffers, all slots together. */
  public long workspaceBytes() {
    return backend.workspaceBytes();
  }

  /** Stops the backend's threads once the passes in progress have finished and frees its memory; later calls fail. */
  @Override
  public void close() {
    backend.close();
  }
}
