package dev.vvtq.cli.remote;

import dev.vvtq.proto.v1.GetJobRequest;
import dev.vvtq.proto.v1.TrainerGrpc;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code vvtq remote job JOB}: one job as JSON. */
@Command(name = "job", mixinStandardHelpOptions = true, description = "Show one job (spec, state, progress, result) as JSON.")
public final class RemoteJobCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec cmd;

  @Mixin TrainerTarget target;

  @Parameters(paramLabel = "JOB") String job;

  @Override
  public Integer call() throws Exception {
    try (Target t = Target.open(target.target)) {
      cmd.commandLine().getOut().println(Printing.json(
          TrainerGrpc.newBlockingStub(t.channel()).getJob(GetJobRequest.newBuilder().setId(job).build())));
      return 0;
    }
  }
}
