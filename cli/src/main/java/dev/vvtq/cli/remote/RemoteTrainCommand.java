package dev.vvtq.cli.remote;

import dev.vvtq.proto.v1.Job;
import dev.vvtq.proto.v1.SubmitTrainJobRequest;
import dev.vvtq.proto.v1.TrainSpec;
import dev.vvtq.proto.v1.TrainerGrpc;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code vvtq remote train}: {@code vvtq train}'s flags, submitted as a job to the trainer service.
 * Flags left out take the service's defaults (the same as {@code vvtq train}'s).
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Submit a training job (the flags of `vvtq train`; paths are on the trainer's machine).",
        "Prints the job id; --watch follows it to the end (exit 0 succeeded, 1 failed, 130 cancelled).",
        "With --resume runs/<id>, flags left out take the resumed run's own values."},
    footer = {"", "The flags mean what they mean for `vvtq train` (see `vvtq train --help`); left out, the service",
        "uses the same defaults."})
public final class RemoteTrainCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec cmd;

  @Mixin TrainerTarget target;

  @Option(names = "--model", description = "Architecture (default: deit_tiny_patch16_224).") String model;
  @Option(names = "--data", paramLabel = "DIR",
      description = "ImageFolder root on the trainer's machine (required unless --resume runs/<id> supplies it).") String data;
  @Option(names = "--epochs") Integer epochs;
  @Option(names = {"-b", "--batch-size"}) Integer batchSize;
  @Option(names = "--lr") Double lr;
  @Option(names = "--min-lr") Double minLr;
  @Option(names = "--warmup-epochs") Integer warmupEpochs;
  @Option(names = "--warmup-lr") Double warmupLr;
  @Option(names = {"--wd", "--weight-decay"}) Double weightDecay;
  @Option(names = "--wbits") Integer wbits;
  @Option(names = "--abits") Integer abits;
  @Option(names = "--reg", description = "Oscillation-aware bin regulariser.") boolean reg;
  @Option(names = "--head-wise") boolean headWise;
  @Option(names = "--use-offset") boolean useOffset;
  @Option(names = "--num_crops") Integer numCrops;
  @Option(names = "--softlabel_path", paramLabel = "PATH", description = "softlabels/<name> in the service's store, or a folder.") String softlabelPath;
  @Option(names = "--soft_label_type") String softLabelType;
  @Option(names = "--finetune", paramLabel = "CKPT", description = "Float checkpoint, e.g. runs/<id>@best.") String finetune;
  @Option(names = "--resume", paramLabel = "CKPT", description = "Continue a run exactly, e.g. runs/<id>.") String resume;
  @Option(names = "--run-id", paramLabel = "ID") String runId;
  @Option(names = "--seed") Long seed;
  @Option(names = "--drop-path") Double dropPath;
  @Option(names = "--limit-train") Integer limitTrain;
  @Option(names = "--limit-val") Integer limitVal;
  @Option(names = {"-j", "--threads"}) Integer threads;
  @Option(names = "--min-crop-scale") Double minCropScale;
  @Option(names = "--watch", description = "Follow the job's progress until it ends.") boolean watch;

  TrainSpec spec() {
    TrainSpec.Builder b = TrainSpec.newBuilder().setReg(reg).setHeadWise(headWise).setUseOffset(useOffset);
    if (data != null) b.setData(data);
    if (model != null) b.setModel(model);
    if (epochs != null) b.setEpochs(epochs);
    if (batchSize != null) b.setBatchSize(batchSize);
    if (lr != null) b.setLr(lr);
    if (minLr != null) b.setMinLr(minLr);
    if (warmupEpochs != null) b.setWarmupEpochs(warmupEpochs);
    if (warmupLr != null) b.setWarmupLr(warmupLr);
    if (weightDecay != null) b.setWeightDecay(weightDecay);
    if (wbits != null) b.setWbits(wbits);
    if (abits != null) b.setAbits(abits);
    if (numCrops != null) b.setNumCrops(numCrops);
    if (softlabelPath != null) b.setSoftlabelPath(softlabelPath);
    if (softLabelType != null) b.setSoftLabelType(softLabelType);
    if (finetune != null) b.setFinetune(finetune);
    if (resume != null) b.setResume(resume);
    if (runId != null) b.setRunId(runId);
    if (seed != null) b.setSeed(seed);
    if (dropPath != null) b.setDropPath(dropPath);
    if (limitTrain != null) b.setLimitTrain(limitTrain);
    if (limitVal != null) b.setLimitVal(limitVal);
    if (threads != null) b.setThreads(threads);
    if (minCropScale != null) b.setMinCropScale(minCropScale);
    return b.build();
  }

  @Override
  public Integer call() throws Exception {
    try (Target t = Target.open(target.target)) {
      Job job = TrainerGrpc.newBlockingStub(t.channel()).submitTrainJob(SubmitTrainJobRequest.newBuilder().setSpec(spec()).build());
      cmd.commandLine().getOut().println(job.getId());
      return watch ? JobWatching.watch(t.channel(), job.getId(), cmd.commandLine().getOut()) : 0;
    }
  }
}
