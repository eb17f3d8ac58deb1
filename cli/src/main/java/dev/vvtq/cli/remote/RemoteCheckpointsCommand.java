package dev.vvtq.cli.remote;

import dev.vvtq.proto.v1.CheckpointInfo;
import dev.vvtq.proto.v1.ListCheckpointsRequest;
import dev.vvtq.proto.v1.TrainerGrpc;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code vvtq remote checkpoints RUN}. */
@Command(name = "checkpoints", mixinStandardHelpOptions = true, description = "List a run's checkpoints in the service's store.")
public final class RemoteCheckpointsCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec cmd;

  @Mixin TrainerTarget target;

  @Parameters(paramLabel = "RUN", description = "Run id (= the training job's id).") String run;

  @Override
  public Integer call() throws Exception {
    try (Target t = Target.open(target.target)) {
      PrintWriter out = cmd.commandLine().getOut();
      out.printf(Locale.ROOT, "%-48s %6s %5s %8s %8s %s%n", "CHECKPOINT", "STEP", "EPOCH", "ACC@1", "ACC@5", "");
      for (CheckpointInfo c : TrainerGrpc.newBlockingStub(t.channel())
          .listCheckpoints(ListCheckpointsRequest.newBuilder().setRunId(run).build()).getCheckpointsList()) {
        out.printf(Locale.ROOT, "%-48s %6d %5d %8.3f %8.3f %s%n", c.getKey(), c.getStep(), c.getEpoch(), c.getValTop1(),
            c.getValTop5(), (c.getBest() ? "best " : "") + (c.getLatest() ? "latest" : ""));
      }
      return 0;
    }
  }
}
