package dev.vvtq.cli.remote;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code vvtq remote watch JOB}: a job's events until it ends. */
@Command(name = "watch", mixinStandardHelpOptions = true,
    description = "Follow a job: its state now, then progress, epochs and the result (exit 0 succeeded, 1 failed, 130 cancelled).")
public final class RemoteWatchCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec cmd;

  @Mixin TrainerTarget target;

  @Parameters(paramLabel = "JOB", description = "Job id (a training job's id is its run id).")
  String job;

  @Override
  public Integer call() throws Exception {
    try (Target t = Target.open(target.target)) {
      return JobWatching.watch(t.channel(), job, cmd.commandLine().getOut());
    }
  }
}
