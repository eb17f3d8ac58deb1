package dev.vvtq.cli;

import dev.vvtq.engine.BackendChoice;
import dev.vvtq.engine.EngineOptions;
import picocli.CommandLine.Option;

/** The {@code --backend} option of the commands that run the integer engine. */
final class EngineBackendOption {
  @Option(names = "--backend", defaultValue = "auto", paramLabel = "BACKEND",
      description = "Integer-engine backend: auto (oneDNN where its natives load, else java), java, or onednn."
          + " Default: ${DEFAULT-VALUE}.")
  String backend;

  /** {@code options} with the chosen backend; an unknown name is a usage error naming the choices. */
  EngineOptions apply(EngineOptions options) {
    return options.withBackend(BackendChoice.parse(backend));
  }
}
