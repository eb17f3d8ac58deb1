package dev.vvtq.cli.remote;

import dev.vvtq.proto.v1.CancelJobRequest;
import dev.vvtq.proto.v1.Job;
import dev.vvtq.proto.v1.TrainerGrpc;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code vvtq remote cancel JOB}. */
@Command(name = "cancel", mixinStandardHelpOptions = true,
    description = "Cancel a job: a queued one at once, a running one after its next step (it writes a checkpoint first).")
public final class RemoteCancelCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec cmd;

  @Mixin TrainerTarget target;

  @Parameters(paramLabel = "JOB") String job;

  @Override
  public Integer call() throws Exception {
    try (Target t = Target.open(target.target)) {
      Job j = TrainerGrpc.newBlockingStub(t.channel()).cancelJob(CancelJobRequest.newBuilder().setId(job).build());
      cmd.commandLine().getOut().println(j.getId() + ": " + Printing.state(j.getState()));
      return 0;
    }
  }
}
