package dev.vvtq.qat.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.FloatBuffer;

/**
 * Creates arrays in memory owned by libtorch. DJL's {@code create(Buffer)} wraps a Java direct
 * buffer, which is unsafe inside autograd: an operation that saves the array for backward (a
 * product with a scalar, say) keeps only the native tensor, and once the Java wrapper is closed the
 * garbage collector frees the buffer under it, so backward reads freed memory (seen as
 * run-to-run differences and NaN). DJL's {@code mul(Number)} and {@code div(Number)} do exactly that
 * with a temporary scalar. Copies in libtorch memory are owned by the tensor itself.
 */
public final class TorchArrays {
  private TorchArrays() {}

  /** A float32 array of the given shape holding {@code values}, allocated by libtorch. */
  public static NDArray create(NDManager manager, float[] values, Shape shape) {
    try (NDArray wrapped = manager.create(FloatBuffer.wrap(values), shape)) {
      return wrapped.duplicate();
    }
  }

  /**
   * A 0-dimensional float32 constant owned by {@code manager}; use it instead of {@code
   * mul(Number)} / {@code div(Number)} on arrays that take part in autograd.
   */
  public static NDArray scalar(NDManager manager, float value) {
    return create(manager, new float[] {value}, new Shape());
  }

  /** An int64 array allocated by libtorch. */
  public static NDArray create(NDManager manager, long[] values, Shape shape) {
    try (NDArray wrapped = manager.create(java.nio.LongBuffer.wrap(values), shape)) {
      return wrapped.duplicate();
    }
  }
}
