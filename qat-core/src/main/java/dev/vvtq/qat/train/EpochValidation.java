package dev.vvtq.qat.train;

import dev.vvtq.qat.data.DataLoader;
import dev.vvtq.qat.distributed.EvaluationReduction;
import dev.vvtq.qat.distributed.ProcessGroup;
import dev.vvtq.qat.eval.EvaluationResult;
import dev.vvtq.qat.eval.Evaluator;
import dev.vvtq.qat.model.QuantDeit;
import java.util.List;

/**
 * The validation after each pass: every rank evaluates its disjoint shard of the validation split
 * and the counts are summed, so the result is that of one process evaluating every image.
 */
final class EpochValidation {
  private final DataLoader shard;
  private final List<String> classes;
  private final ProcessGroup group;

  EpochValidation(DataLoader shard, List<String> classes, ProcessGroup group) {
    this.shard = shard;
    this.classes = classes;
    this.group = group;
  }

  EvaluationResult evaluate(QuantDeit model) {
    return EvaluationReduction.sum(Evaluator.evaluate(model, shard, classes, null), group);
  }
}
