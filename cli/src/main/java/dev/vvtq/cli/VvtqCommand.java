package dev.vvtq.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The top command {@code vvtq}. Adding a subcommand is one line: its class in {@code subcommands}.
 */
@Command(
    name = "vvtq",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Train, score and serve low-bit vision transformers (VVTQ).",
    subcommands = {
      CommandLine.HelpCommand.class,
      DataCommand.class,
      LabelCommand.class,
      TrainCommand.class,
      EvaluateCommand.class,
      ImportTimmCommand.class,
      ExportTimmCommand.class,
      ImportVvtqCommand.class,
      ExportVvtqCommand.class,
      ExportCommand.class,
      InferCommand.class,
      ModelsCommand.class,
      PipelineCommand.class,
      dev.vvtq.cli.remote.RemoteCommand.class,
    })
public final class VvtqCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getErr());
  }
}
