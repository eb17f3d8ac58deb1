package dev.vvtq.qat.softlabel;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small real teacher for tests: logits = (per-channel mean of the input) x W + b, computed with
 * DJL operations, and the same function in plain Java to check what the generator stored.
 */
final class SoftLabelFixture {
  static final int CLASSES = 6;
  // 3 x 6 weights, chosen so that different crops rank the classes differently.
  static final float[] W = {
    2.0f, -1.0f, 0.5f, 1.5f, -2.0f, 0.0f,
    -1.0f, 2.5f, 0.0f, -0.5f, 1.0f, 1.0f,
    0.5f, 0.5f, -2.0f, 1.0f, 0.0f, -1.5f
  };
  static final float[] B = {0.1f, 0.0f, -0.1f, 0.2f, 0.05f, -0.05f};

  final AtomicInteger calls = new AtomicInteger();
  final AtomicInteger crops = new AtomicInteger();

  final Teacher teacher = images -> {
    calls.incrementAndGet();
    crops.addAndGet((int) images.getShape().get(0));
    NDManager m = images.getManager();
    NDArray w = m.create(W, new Shape(3, CLASSES));
    NDArray b = m.create(B, new Shape(CLASSES));
    long n = images.getShape().get(0);
    // PyTorch's engine averages over one axis at a time: flatten the planes first.
    return images.reshape(n, 3, -1).mean(new int[] {2}).matMul(w).add(b);
  };

  /** Softmax probabilities of the teacher for one normalised CHW crop, in double. */
  static double[] probabilities(float[] chw) {
    int plane = chw.length / 3;
    double[] mean = new double[3];
    for (int c = 0; c < 3; c++) {
      for (int i = 0; i < plane; i++) {
        mean[c] += chw[c * plane + i];
      }
      mean[c] /= plane;
    }
    double[] p = new double[CLASSES];
    double sum = 0;
    for (int k = 0; k < CLASSES; k++) {
      double logit = B[k];
      for (int c = 0; c < 3; c++) {
        logit += mean[c] * W[c * CLASSES + k];
      }
      p[k] = Math.exp(logit);
      sum += p[k];
    }
    for (int k = 0; k < CLASSES; k++) {
      p[k] /= sum;
    }
    return p;
  }
}
