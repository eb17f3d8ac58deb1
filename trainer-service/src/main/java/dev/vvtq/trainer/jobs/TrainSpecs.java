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
    dev.vvtq.qat.train.TrainSpec d = dev.vvtq.qat.train.TrainSpec.defaults();
    return new dev.vvtq.qat.train.TrainSpec(
        p.getModel().isEmpty() ? d.model() : p.getModel(),
        blankToNull(p.getData()),
        p.hasEpochs() ? p.getEpochs() : d.epochs(),
        p.hasBatchSize() ? p.getBatchSize() : d.batchSize(),
        p.hasLr() ? p.getLr() : d.lr(),
        p.hasMinLr() ? p.getMinLr() : d.minLr(),
        p.hasWarmupEpochs() ? p.getWarmupEpochs() : d.warmupEpochs(),
        p.hasWarmupLr() ? p.getWarmupLr() : d.warmupLr(),
        p.hasWeightDecay() ? p.getWeightDecay() : d.weightDecay(),
        p.hasWbits() ? p.getWbits() : d.wbits(),
        p.hasAbits() ? p.getAbits() : d.abits(),
        p.getReg(),
        p.getHeadWise(),
        p.getUseOffset(),
        p.hasNumCrops() ? p.getNumCrops() : d.numCrops(),
        blankToNull(p.getSoftlabelPath()),
        p.getSoftLabelType().isEmpty() ? d.softLabelType() : p.getSoftLabelType(),
        blankToNull(p.getFinetune()),
        blankToNull(p.getResume()),
        storeLocation,
        runId,
        null,
        p.hasSeed() ? p.getSeed() : d.seed(),
        p.hasDropPath() ? p.getDropPath() : d.dropPath(),
        p.getLimitTrain(),
        p.getLimitVal(),
        p.hasThreads() ? p.getThreads() : DEFAULT_THREADS);
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
        .build();
  }

  static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
