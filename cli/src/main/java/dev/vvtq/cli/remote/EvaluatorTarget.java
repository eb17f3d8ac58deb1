package dev.vvtq.cli.remote;

import picocli.CommandLine.Option;

/** {@code --target} of the evaluation service. */
final class EvaluatorTarget {
  @Option(names = "--target", paramLabel = "HOST:PORT", defaultValue = "${env:VVTQ_EVALUATOR:-localhost:9002}",
      description = "The evaluation service (default: $VVTQ_EVALUATOR or ${DEFAULT-VALUE}).")
  String target;
}
