package dev.vvtq.cli.remote;

import dev.vvtq.proto.v1.Job;
import dev.vvtq.proto.v1.LabelSpec;
import dev.vvtq.proto.v1.SubmitLabelJobRequest;
import dev.vvtq.proto.v1.TrainerGrpc;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code vvtq remote label}: {@code vvtq label --publish NAME} as a job of the trainer service. */
@Command(name = "label", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Submit a soft-label job: the teacher labels crops of DATA/train into softlabels/NAME of the service's store.")
public final class RemoteLabelCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec cmd;

  @Mixin TrainerTarget target;

  @Option(names = "--teacher", required = true, paramLabel = "CKPT", description = "e.g. runs/<id>@best.") String teacher;
  @Option(names = "--data", required = true, paramLabel = "DIR") String data;
  @Option(names = "--name", required = true, description = "Published as softlabels/NAME.") String name;
  @Option(names = {"-m", "--crops"}) Integer crops;
  @Option(names = {"-k", "--topk"}) Integer topk;
  @Option(names = "--seed") Long seed;
  @Option(names = {"-b", "--batch-size"}) Integer batchSize;
  @Option(names = "--min-crop-scale") Double minCropScale;
  @Option(names = "--watch", description = "Follow the job until it ends.") boolean watch;

  @Override
  public Integer call() throws Exception {
    LabelSpec.Builder s = LabelSpec.newBuilder().setTeacherCheckpoint(teacher).setData(data).setOutName(name);
    if (crops != null) s.setCrops(crops);
    if (topk != null) s.setTopk(topk);
    if (seed != null) s.setSeed(seed);
    if (batchSize != null) s.setBatchSize(batchSize);
    if (minCropScale != null) s.setMinCropScale(minCropScale);
    try (Target t = Target.open(target.target)) {
      Job job = TrainerGrpc.newBlockingStub(t.channel()).submitLabelJob(SubmitLabelJobRequest.newBuilder().setSpec(s).build());
      cmd.commandLine().getOut().println(job.getId());
      return watch ? JobWatching.watch(t.channel(), job.getId(), cmd.commandLine().getOut()) : 0;
    }
  }
}
