package dev.vvtq.qat.nn;

import ai.djl.pytorch.jni.JniUtils;

/**
 * Turns autograd recording off for the current thread (PyTorch's grad mode is per thread, and
 * threads other than the one that started the engine begin with it on).
 */
public final class NoGrad implements AutoCloseable {
  private final boolean previous;

  private NoGrad() {
    previous = JniUtils.isGradMode();
    JniUtils.setGradMode(false);
  }

  /** Disables grad mode until {@link #close()}, which restores the previous mode. */
  public static NoGrad enter() {
    return new NoGrad();
  }

  @Override
  public void close() {
    JniUtils.setGradMode(previous);
  }
}
