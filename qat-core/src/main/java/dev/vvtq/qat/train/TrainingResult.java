package dev.vvtq.qat.train;

import dev.vvtq.qat.eval.EvaluationResult;
import java.util.List;

/**
 * What a run produced.
 *
 * @param finalValidation the last validation (null if the run was cancelled before any)
 * @param bestCheckpoint store prefix of the best checkpoint by validation top-1
 * @param lastCheckpoint store prefix of the latest checkpoint
 */
public record TrainingResult(
    String runId, boolean cancelled, EvaluationResult finalValidation, double bestTop1, String bestCheckpoint,
    String lastCheckpoint, List<EpochRecord> history, double seconds) {}
