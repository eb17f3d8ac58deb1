package dev.vvtq.qat.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** What the in-place all-reduce relies on: DJL's direct view of a gradient is the gradient's own memory. */
class GradientAveragerTest {
  @Test
  void writingThroughTheDirectViewChangesTheGradient() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray w = m.create(new float[] {1, 2, 3, 4}, new Shape(2, 2)).duplicate();
      w.setRequiresGradient(true);
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        gc.backward(w.mul(w).sum());
      }
      NDArray g = w.getGradient();
      ByteBuffer view = g.toByteBuffer(true);
      assertTrue(view.isDirect(), "a contiguous CPU gradient has a direct view");
      view.order(ByteOrder.nativeOrder()).asFloatBuffer().put(0, 42f);
      assertArrayEquals(new float[] {42, 4, 6, 8}, w.getGradient().toFloatArray(), "the view aliases the gradient");
    }
  }
}
