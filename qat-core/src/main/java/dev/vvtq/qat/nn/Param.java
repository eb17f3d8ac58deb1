package dev.vvtq.qat.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.FloatBuffer;
import java.util.Arrays;

/** A learnable float tensor with its kind; the array always has a gradient attached. */
public final class Param {
  private final ParamKind kind;
  private final Shape shape;
  private NDArray array;
  private NDManager home;

  Param(ParamKind kind, Shape shape) {
    this.kind = kind;
    this.shape = shape;
  }

  /** The parameter's kind. */
  public ParamKind kind() {
    return kind;
  }

  /** The declared shape. */
  public Shape shape() {
    return shape;
  }

  /** Whether values have been assigned. */
  public boolean isInitialized() {
    return array != null;
  }

  /** The live array (requires gradient). */
  public NDArray array() {
    if (array == null) {
      throw new IllegalStateException("parameter used before initialisation (shape " + shape + ")");
    }
    return array;
  }

  /**
   * Replaces the values. The new array is created on {@code manager} with a gradient attached and
   * the previous array is closed.
   */
  public void assign(NDManager manager, float[] values) {
    if (values.length != shape.size()) {
      throw new IllegalArgumentException(
          "expected " + shape.size() + " values for shape " + shape + ", got " + values.length);
    }
    NDArray next = TorchArrays.create(manager, values, shape);
    next.setRequiresGradient(true);
    if (array != null) {
      array.close();
    }
    array = next;
    home = manager;
  }

  /** Replaces the values on the manager that owns the parameter (its model's manager). */
  public void assign(float[] values) {
    if (home == null) {
      throw new IllegalStateException("parameter has no values yet; initialise the model first");
    }
    assign(home, values);
  }

  /** The manager that owns this parameter between forwards. */
  public NDManager home() {
    return home;
  }

  /** Copies the values into a new float array. */
  public float[] values() {
    return array().toFloatArray();
  }

  /** Fills with one value. */
  public void fill(NDManager manager, float value) {
    float[] v = new float[Math.toIntExact(shape.size())];
    Arrays.fill(v, value);
    assign(manager, v);
  }
}
