package dev.vvtq.cli.remote;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code vvtq remote}: the same work as the local commands, done by the gRPC services. */
@Command(name = "remote", mixinStandardHelpOptions = true,
    description = {"Talk to the services: the trainer (train, label, jobs, job, watch, cancel, checkpoints, export),",
        "the evaluator (evaluate, evaluations) and the inference service (models, classify).",
        "Targets: --target, or $VVTQ_TRAINER / $VVTQ_EVALUATOR / $VVTQ_INFERENCE (default localhost:9001/9002/9000)."},
    subcommands = {
      RemoteTrainCommand.class,
      RemoteLabelCommand.class,
      RemoteJobsCommand.class,
      RemoteJobCommand.class,
      RemoteWatchCommand.class,
      RemoteCancelCommand.class,
      RemoteCheckpointsCommand.class,
      RemoteExportCommand.class,
      RemoteEvaluateCommand.class,
      RemoteEvaluationsCommand.class,
      RemoteModelsCommand.class,
      RemoteClassifyCommand.class,
    })
public final class RemoteCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getErr());
  }
}
