package dev.vvtq.qat.distributed;

import dev.vvtq.qat.nn.Param;
import java.util.Collection;

/**
 * What happens to the gradients between backward and the optimizer update: nothing in one process,
 * the average over ranks in data-parallel training.
 */
@FunctionalInterface
public interface GradientSync {
  /** Leaves every gradient as backward computed it. */
  GradientSync LOCAL = params -> {};

  /** Replaces the gradient of each of {@code params} (in the same order on every rank) in place. */
  void synchronize(Collection<Param> params);
}
