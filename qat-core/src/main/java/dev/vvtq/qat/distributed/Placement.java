package dev.vvtq.qat.distributed;

import ai.djl.Device;

/**
 * Where a training run executes: the ranks it shares the work with, what happens to the gradients
 * between backward and the update, and the device holding the model, optimizer state and batches.
 * Not part of the run's spec: a checkpoint resumes in any placement with the same world size.
 */
public record Placement(ProcessGroup group, GradientSync gradients, Device device) {
  /** One process on the CPU: what every run was before distributed training. */
  public static final Placement LOCAL_CPU = new Placement(SingleProcess.INSTANCE, GradientSync.LOCAL, Device.cpu());

  /** Data-parallel over {@code group} on {@code device}, gradients averaged over the ranks. */
  public static Placement dataParallel(ProcessGroup group, Device device) {
    return new Placement(group, group.size() == 1 ? GradientSync.LOCAL : new GradientAverager(group), device);
  }
}
