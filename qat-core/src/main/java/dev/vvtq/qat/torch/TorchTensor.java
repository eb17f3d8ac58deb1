package dev.vvtq.qat.torch;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A tensor of a PyTorch checkpoint, held contiguously (row-major, little-endian) whatever the
 * strides it was saved with.
 */
public final class TorchTensor {
  private final TorchDtype dtype;
  private final long[] shape;
  private final byte[] data;

  /** A tensor over {@code data}, which must hold exactly {@code numel(shape)} elements. */
  public TorchTensor(TorchDtype dtype, long[] shape, byte[] data) {
    this.dtype = dtype;
    this.shape = shape.clone();
    if ((long) data.length != numel(shape) * dtype.bytes()) {
      throw new IllegalArgumentException("tensor " + Arrays.toString(shape) + " of " + dtype + " needs "
          + numel(shape) * dtype.bytes() + " bytes, got " + data.length);
    }
    this.data = data;
  }

  /** A float32 tensor of the given values. */
  public static TorchTensor ofFloats(long[] shape, float[] values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(values);
    return new TorchTensor(TorchDtype.FLOAT32, shape, b.array());
  }

  /**
   * The tensor {@code _rebuild_tensor_v2} describes: {@code shape} elements with {@code stride}
   * (in elements) from {@code offset} of {@code storage}, copied out contiguously.
   */
  static TorchTensor view(TorchStorage storage, long offset, long[] shape, long[] stride) {
    if (shape.length != stride.length) {
      throw new IllegalArgumentException("size " + Arrays.toString(shape) + " and stride " + Arrays.toString(stride)
          + " differ in rank");
    }
    int es = storage.dtype().bytes();
    long n = numel(shape);
    byte[] src = storage.data();
    long elements = src.length / es;
    if (n > 0) {
      long last = offset;
      for (int d = 0; d < shape.length; d++) {
        if (shape[d] < 0 || stride[d] < 0) {
          throw new IllegalArgumentException("negative size or stride " + Arrays.toString(shape) + " / "
              + Arrays.toString(stride));
        }
        last += (shape[d] - 1) * stride[d];
      }
      if (offset < 0 || last >= elements) {
        throw new IllegalArgumentException("tensor " + Arrays.toString(shape) + " at offset " + offset + " stride "
            + Arrays.toString(stride) + " reaches past storage '" + storage.key() + "' of " + elements + " elements");
      }
    }
    byte[] out = new byte[Math.toIntExact(n * es)];
    long[] index = new long[shape.length];
    for (long i = 0; i < n; i++) {
      long at = offset;
      for (int d = 0; d < shape.length; d++) {
        at += index[d] * stride[d];
      }
      System.arraycopy(src, (int) (at * es), out, (int) (i * es), es);
      for (int d = shape.length - 1; d >= 0; d--) {
        if (++index[d] < shape[d]) {
          break;
        }
        index[d] = 0;
      }
    }
    return new TorchTensor(storage.dtype(), shape, out);
  }

  static long numel(long[] shape) {
    long n = 1;
    for (long s : shape) {
      n = Math.multiplyExact(n, s);
    }
    return n;
  }

  /** The element type. */
  public TorchDtype dtype() {
    return dtype;
  }

  /** The shape (a copy). */
  public long[] shape() {
    return shape.clone();
  }

  /** Number of elements. */
  public long numel() {
    return numel(shape);
  }

  /** The contiguous little-endian bytes (a copy). */
  public byte[] bytes() {
    return data.clone();
  }

  /** The values of a float32 tensor. */
  public float[] floats() {
    if (dtype != TorchDtype.FLOAT32) {
      throw new IllegalArgumentException("tensor is " + dtype + ", not FLOAT32");
    }
    float[] out = new float[data.length / 4];
    ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
    return out;
  }

  @Override
  public String toString() {
    return dtype + Arrays.toString(shape);
  }
}
