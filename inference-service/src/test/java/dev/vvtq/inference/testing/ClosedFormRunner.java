package dev.vvtq.inference.testing;

import dev.vvtq.inference.model.ModelDescription;
import dev.vvtq.inference.model.ModelRunner;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A test stand-in for the integer engine: the logits are a fixed function of each image's
 * per-channel means, so tests can recompute them; an optional delay per call makes the model slow
 * enough to fill queues. Counts the images it computes.
 */
public final class ClosedFormRunner implements ModelRunner {
  /** Images computed by every runner of this class since the JVM started. */
  public static final AtomicLong IMAGES_COMPUTED = new AtomicLong();

  private final ModelDescription description;
  private final long delayMillis;
  private volatile boolean closed;

  public ClosedFormRunner(ModelDescription description, long delayMillis) {
    this.description = description;
    this.delayMillis = delayMillis;
  }

  /** The logits this runner gives for the images. */
  public static float[] expectedLogits(ModelDescription d, float[] images, int n) {
    int plane = d.inputSize() * d.inputSize();
    int classes = d.numClasses();
    float[] out = new float[n * classes];
    for (int i = 0; i < n; i++) {
      double[] mean = new double[3];
      for (int c = 0; c < 3; c++) {
        double sum = 0;
        int base = i * d.imageElements() + c * plane;
        for (int p = 0; p < plane; p++) {
          sum += images[base + p];
        }
        mean[c] = sum / plane;
      }
      for (int k = 0; k < classes; k++) {
        double v = 0.01 * k;
        for (int c = 0; c < 3; c++) {
          v += mean[c] * Math.cos(k + 2.0 * c);
        }
        out[i * classes + k] = (float) v;
      }
    }
    return out;
  }

  @Override
  public ModelDescription description() {
    return description;
  }

  @Override
  public float[] logits(float[] images, int n) {
    if (closed) {
      throw new IllegalStateException("runner closed");
    }
    if (delayMillis > 0) {
      try {
        Thread.sleep(delayMillis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    IMAGES_COMPUTED.addAndGet(n);
    return expectedLogits(description, images, n);
  }

  /** {@link #logits} without delay or counting, for computing expectations. */
  public float[] logitsUncounted(float[] images, int n) {
    return expectedLogits(description, images, n);
  }

  @Override
  public void warmUp() {
    expectedLogits(description, new float[description.imageElements()], 1);
  }

  @Override
  public void close() {
    closed = true;
  }
}
