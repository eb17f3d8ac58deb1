package dev.vvtq.qat.train;

import dev.vvtq.qat.checkpoint.TrainingState;
import dev.vvtq.qat.data.DataLoader;
import dev.vvtq.qat.loss.RegularizerSchedule;
import dev.vvtq.qat.model.QuantDeit;
import dev.vvtq.qat.softlabel.SoftLabelStore;
import dev.vvtq.qat.train.EpochPlan.Segment;
import java.util.List;

/**
 * A run ready to train: the model and optimizer at their starting state (identical on every rank),
 * the loaders of this rank's shards, the plan and schedules, and where the run resumes. Closing it
 * releases the loaders and soft labels; the model's manager is closed by its creator.
 */
record PreparedRun(
    String runId,
    QuantDeit model,
    AdamW optimizer,
    DataLoader singleCrop,
    DataLoader multiCrop,
    DataLoader validation,
    SoftLabelStore softLabels,
    List<String> classes,
    List<Segment> plan,
    long totalSteps,
    LearningRateSchedule lrSchedule,
    RegularizerSchedule regSchedule,
    TrainingState state,
    RunCheckpointer checkpointer) implements AutoCloseable {

  /** The loader of a segment. */
  DataLoader loaderFor(Segment s) {
    return s.multiCrop() ? multiCrop : singleCrop;
  }

  @Override
  public void close() throws java.io.IOException {
    // Soft labels close last: the loaders' workers read them until the loaders stop.
    try (SoftLabelStore labels = softLabels; AdamW o = optimizer; DataLoader a = singleCrop; DataLoader b = multiCrop;
        DataLoader c = validation) {
      // try-with-resources closes each, null ones skipped, every one even if another fails.
    }
  }
}
