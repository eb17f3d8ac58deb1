package dev.vvtq.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code vvtq data}: prepare data sets. Adding one is a line in {@code subcommands}. */
@Command(
    name = "data",
    mixinStandardHelpOptions = true,
    description = "Prepare data sets as ImageFolders (DATA/train/<class>/*, DATA/val/<class>/*).",
    subcommands = {
      FashionMnistCommand.class,
    })
public final class DataCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getErr());
  }
}
