package dev.vvtq.engine;

import java.time.Duration;

/**
 * The model-level seam of the engine: a backend prepares one exported model once (weights in its own
 * layout, in its own memory) and runs whole batches on it. {@link IntDeit} validates the arguments and
 * hands them over; the backend owns its threads and buffers and frees them on {@link #close()}.
 *
 * <p>Contract: {@link #forward} is safe for concurrent callers, allocates nothing once warm and keeps
 * memory bounded for any batch size; integer products are exact (every backend gives the same
 * integers), float parts agree within the engine's tolerances. See int-engine/README.md for how a GPU
 * backend fits.
 */
public interface InferenceBackend extends AutoCloseable {

  /** The backend's configuration name: {@code java}, {@code onednn}. */
  String name();

  /** What runs the work, for logs and reports, e.g. {@code vector-512 kernels} or the oneDNN ISA. */
  String detail();

  /**
   * Logits of {@code count >= 1} images (C x H x W floats each, from {@code imagesOff}) into {@code
   * logits} from {@code logitsOff}; the caller has checked the bounds.
   */
  void forward(float[] images, int imagesOff, int count, float[] logits, int logitsOff);

  /** Runs passes until the backend is at speed (JIT-compiled, primitives created), within {@code budget}. */
  WarmUpReport warmUp(Duration budget);

  /** Time per {@link OpClass} since the previous call; empty unless profiling is on. */
  OpProfile profile();

  /** Bytes of the prepared weight matrices. */
  long weightBytes();

  /** Bytes of everything the prepared model holds. */
  long modelBytes();

  /** Bytes of the per-call buffers, all concurrent passes together. */
  long workspaceBytes();

  /** Waits for passes in progress, then frees threads and memory; later calls fail. */
  @Override
  void close();
}
