package dev.vvtq.engine.kernels;

/** Per-thread working memory of a {@link Kernels} implementation; never shared between threads. */
public interface KernelScratch {
  /** Bytes of memory this scratch keeps alive. */
  long bytesHeld();
}
