package dev.vvtq.trainer.jobs;

import dev.vvtq.proto.v1.TrainSpec;

/** Between the API's training spec and the library's: unset fields take {@code vvtq train}'s defaults. */
public final class TrainSpecs {
  /** {@code vvtq train --threads}' default, where the library's record has none of its own. */
  static final int DEFAULT_THREADS = 2;

  private TrainSpecs() {}

  /**
   * The library spec a request describes, writing to {@code storeLocation} (the service's store)
   * under run id {@code runId}.
   */
  public static dev.vvtq.qat.train.TrainSpec toLibrary(TrainSpec p, String storeLocation, String runId) {
    dev.vvtq.qat.train.TrainSpec.Builder b = dev.vvtq.qat.train.TrainSpec.builder()
        .data(blankToNull(p.getData()))
        .reg(p.getReg())
        .headWise(p.getHeadWise())
        .useOffset(p.getUseOffset())
        .softlabelPath(blankToNull(p.getSoftlabelPath()))
        .finetune(blankToNull(p.getFinetune()))
        .resume(blankToNull(p.getResume()))
        .saveCheckpointPath(storeLocation)
        .runId(runId)
        .log(null)
        .limitTrain(p.getLimitTrain())
        .limitVal(p.getLimitVal())
        .threads(p.hasThreads() ? p.getThreads() : DEFAULT_THREADS);
    if (!p.getModel().isEmpty()) {
      b.model(p.getModel());
    }
    if (!p.getSoftLabelType().isEmpty()) {
      b.softLabelType(p.getSoftLabelType());
    }
    if (p.hasEpochs()) {
      b.epochs(p.getEpochs());
    }
    if (p.hasBatchSize()) {
      b.batchSize(p.getBatchSize());
    }
    if (p.hasLr()) {
      b.lr(p.getLr());
    }
    if (p.hasMinLr()) {
      b.minLr(p.getMinLr());
    }
    if (p.hasWarmupEpochs()) {
      b.warmupEpochs(p.getWarmupEpochs());
    }
    if (p.hasWarmupLr()) {
      b.warmupLr(p.getWarmupLr());
    }
    if (p.hasWeightDecay()) {
      b.weightDecay(p.getWeightDecay());
    }
    if (p.hasWbits()) {
      b.wbits(p.getWbits());
    }
    if (p.hasAbits()) {
      b.abits(p.getAbits());
    }
    if (p.hasNumCrops()) {
      b.numCrops(p.getNumCrops());
    }
    if (p.hasSeed()) {
      b.seed(p.getSeed());
    }
    if (p.hasDropPath()) {
      b.dropPath(p.getDropPath());
    }
    if (p.hasMinCropScale()) {
      b.minCropScale(p.getMinCropScale());
    }
    return b.build();
  }

  /** The API form of a library spec (every field set), e.g. from a run record. */
  public static TrainSpec fromLibrary(dev.vvtq.qat.train.TrainSpec s) {
    return TrainSpec.newBuilder()
        .setModel(s.model())
        .setData(nullToEmpty(s.data()))
        .setEpochs(s.epochs())
        .setBatchSize(s.batchSize())
        .setLr(s.lr())
        .setMinLr(s.minLr())
        .setWarmupEpochs(s.warmupEpochs())
        .setWarmupLr(s.warmupLr())
        .setWeightDecay(s.weightDecay())
        .setWbits(s.wbits())
        .setAbits(s.abits())
        .setReg(s.reg())
        .setHeadWise(s.headWise())
        .setUseOffset(s.useOffset())
        .setNumCrops(s.numCrops())
        .setSoftlabelPath(nullToEmpty(s.softlabelPath()))
        .setSoftLabelType(nullToEmpty(s.softLabelType()))
        .setFinetune(nullToEmpty(s.finetune()))
        .setResume(nullToEmpty(s.resume()))
        .setSaveCheckpointPath(nullToEmpty(s.saveCheckpointPath()))
        .setRunId(nullToEmpty(s.runId()))
        .setSeed(s.seed())
        .setDropPath(s.dropPath())
        .setLimitTrain(s.limitTrain())
        .setLimitVal(s.limitVal())
        .setThreads(s.threads())
        .setMinCropScale(s.minCropScale())
        .build();
  }

  static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
