package dev.vvtq.cli.remote;

import picocli.CommandLine.Option;

/** {@code --target} of the inference service. */
final class InferenceTarget {
  @Option(names = "--target", paramLabel = "HOST:PORT", defaultValue = "${env:VVTQ_INFERENCE:-localhost:9000}",
      description = "The inference service (default: $VVTQ_INFERENCE or ${DEFAULT-VALUE}).")
  String target;
}
