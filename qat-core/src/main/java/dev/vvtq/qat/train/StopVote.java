package dev.vvtq.qat.train;

import dev.vvtq.qat.distributed.ProcessGroup;

/**
 * The ranks' agreement to stop after a step: a cancel or SIGTERM reaches each rank at its own
 * moment, so the ranks sum their flags and all stop (and rank 0 checkpoints) at the same step.
 */
final class StopVote {
  private final ProcessGroup group;
  private final double[] flag = new double[1];

  StopVote(ProcessGroup group) {
    this.group = group;
  }

  /** Whether any rank wants to stop; {@code wanted} is this rank's wish (every rank must call). */
  boolean agreed(boolean wanted) {
    if (group.size() == 1) {
      return wanted;
    }
    flag[0] = wanted ? 1 : 0;
    group.sumInPlace(flag);
    return flag[0] > 0;
  }
}
