package dev.vvtq.trainer.jobs;

import dev.vvtq.proto.v1.ActivationRange;
import dev.vvtq.proto.v1.EpochSummary;
import dev.vvtq.proto.v1.LayerOscillation;
import dev.vvtq.proto.v1.Progress;
import dev.vvtq.qat.softlabel.GenerationProgress;
import dev.vvtq.qat.telemetry.OscillationTracker;
import dev.vvtq.qat.train.EpochRecord;
import dev.vvtq.qat.train.StepProgress;
import java.util.Map;

/** The library's progress records in the API's form. */
final class ProgressProtos {
  private ProgressProtos() {}

  static Progress of(StepProgress p) {
    Progress.Builder b = Progress.newBuilder()
        .setEpoch(p.epoch())
        .setEpochs(p.totalEpochs())
        .setStep(p.step())
        .setStepsPerEpoch(p.batchesInPass())
        .setTotalSteps(p.totalSteps())
        .setLoss(p.loss())
        .setTaskLoss(p.kdLoss())
        .setRegLoss(p.regularizer())
        .setTop1(p.top1())
        .setTop5(p.top5())
        .setLr(p.lr())
        .setLambda(p.lambda())
        .setImagesPerSecond(p.imagesPerSecond())
        .setEtaSeconds(p.etaSeconds());
    Map<String, Double> kurtosis = p.kurtosis() == null ? Map.of() : p.kurtosis();
    if (p.oscillation() != null) {
      for (OscillationTracker.LayerOscillation o : p.oscillation().values()) {
        b.addOscillation(LayerOscillation.newBuilder()
            .setLayer(o.layer())
            .setOscillatingFraction(o.oscillatingFraction())
            .setMeanFrequency(o.meanFrequency())
            .setKurtosis(kurtosis.getOrDefault(o.layer(), 0.0))
            .setFlipsLastStep(o.flipsLastStep())
            .setWeights(o.weights()));
      }
    }
    if (p.activationRanges() != null) {
      p.activationRanges().forEach((name, range) -> b.addActivationRanges(
          ActivationRange.newBuilder().setQuantizer(name).setMin(range[0]).setMax(range[1])));
    }
    return b.build();
  }

  static Progress of(GenerationProgress p) {
    double rate = p.imagesPerSecond();
    long left = p.images() - p.imagesDone();
    return Progress.newBuilder()
        .setImagesDone(p.imagesDone())
        .setImagesTotal(p.images())
        .setImagesPerSecond(rate)
        .setEtaSeconds(rate > 0 ? left / rate : 0)
        .build();
  }

  static EpochSummary of(EpochRecord r, String bestCheckpoint) {
    return EpochSummary.newBuilder()
        .setEpoch(r.epochsDone())
        .setTrainLoss(r.trainLoss())
        .setValTop1(r.valTop1())
        .setValTop5(r.valTop5())
        .setValLoss(r.valLoss())
        .setSeconds(r.seconds())
        .setCheckpoint(r.checkpoint() == null ? "" : r.checkpoint())
        .setBest(r.checkpoint() != null && r.checkpoint().equals(bestCheckpoint))
        .build();
  }
}
