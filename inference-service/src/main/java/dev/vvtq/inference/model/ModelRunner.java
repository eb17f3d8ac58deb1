package dev.vvtq.inference.model;

/**
 * One loaded exported model that computes logits for batches of preprocessed images. The service
 * calls {@link #logits} from one thread at a time per runner (its batcher's worker).
 */
public interface ModelRunner extends AutoCloseable {

  /** What the model is: input size, normalisation, class names, architecture. */
  ModelDescription description();

  /**
   * Logits {@code [n, numClasses]}, row-major, for {@code n} images normalised with the model's
   * mean and std, given as {@code [n, 3, inputSize, inputSize]} row-major floats in the first {@code
   * n * 3 * inputSize^2} elements of {@code images} (the array may be longer).
   */
  float[] logits(float[] images, int n);

  /** The engine backend that computes the logits ({@code java}, {@code onednn}), for metadata and metrics. */
  String backend();

  /** Runs the model until its kernels are compiled, so that the first request is not slow. */
  void warmUp();

  /** Releases the model's memory and threads. */
  @Override
  void close();
}
