package dev.vvtq.qat.train;

import dev.vvtq.qat.checkpoint.CheckpointRepository;

/** Receives a run's progress; every method has an empty default. Called on the training thread. */
public interface TrainingListener {
  /** After every optimizer step. */
  default void onStep(StepProgress progress) {}

  /** After each loader pass (and its validation). */
  default void onEpoch(EpochRecord record) {}

  /** After a checkpoint is published. */
  default void onCheckpoint(CheckpointRepository.Saved saved, boolean best) {}

  /** A line for the console and the log (phase changes, the reference's " * Acc@1" lines). */
  default void onMessage(String line) {}
}
