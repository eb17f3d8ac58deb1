package dev.vvtq.qat.train;

import dev.vvtq.qat.telemetry.OscillationTracker.LayerOscillation;
import java.util.Map;

/**
 * Progress after one optimizer step. Loss and accuracies are running averages over the current
 * loader pass; {@code oscillation} and {@code activationRanges} are refreshed every few steps (empty
 * for float models).
 *
 * @param epoch the epoch the step belongs to (0-based)
 * @param batchInPass 1-based index of the batch within the pass
 */
public record StepProgress(
    int epoch, int totalEpochs, long step, long totalSteps, int batchInPass, int batchesInPass,
    double loss, double kdLoss, double regularizer, double top1, double top5, double lr, double lambda,
    double imagesPerSecond, double etaSeconds, double oscillatingFraction,
    Map<String, LayerOscillation> oscillation, Map<String, Double> kurtosis, Map<String, float[]> activationRanges) {}
