package dev.vvtq.cli.remote;

import picocli.CommandLine.Option;

/** {@code --target} of the trainer service. */
final class TrainerTarget {
  @Option(names = "--target", paramLabel = "HOST:PORT", defaultValue = "${env:VVTQ_TRAINER:-localhost:9001}",
      description = "The trainer service (default: $VVTQ_TRAINER or ${DEFAULT-VALUE}).")
  String target;
}
