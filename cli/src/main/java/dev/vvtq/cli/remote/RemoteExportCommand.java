package dev.vvtq.cli.remote;

import dev.vvtq.proto.v1.ExportModelRequest;
import dev.vvtq.proto.v1.ExportModelResponse;
import dev.vvtq.proto.v1.TrainerGrpc;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code vvtq remote export}: ExportModel on the trainer service. */
@Command(name = "export", mixinStandardHelpOptions = true,
    description = "Pack a quantized checkpoint of the service's store as models/NAME/VERSION (docs/EXPORT-FORMAT.md).")
public final class RemoteExportCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec cmd;

  @Mixin TrainerTarget target;

  @Option(names = {"--checkpoint", "--resume"}, required = true, paramLabel = "CKPT", description = "e.g. runs/<id>@best.")
  String checkpoint;

  @Option(names = "--name", description = "Model name (default: the run id).") String name;
  @Option(names = "--version", description = "Model version (default: 1).") String version;
  @Option(names = "--replace", description = "Overwrite a model published under the same name and version.") boolean replace;

  @Override
  public Integer call() throws Exception {
    ExportModelRequest.Builder r = ExportModelRequest.newBuilder().setCheckpoint(checkpoint).setReplace(replace);
    if (name != null) r.setName(name);
    if (version != null) r.setVersion(version);
    try (Target t = Target.open(target.target)) {
      ExportModelResponse m = TrainerGrpc.newBlockingStub(t.channel()).exportModel(r.build());
      cmd.commandLine().getOut().printf(Locale.ROOT, "%s: %s W%dA%d, %d classes, %,d bytes, sha256 %s (from %s)%n",
          m.getModelKey(), m.getArchitecture(), m.getWbits(), m.getAbits(), m.getClassNamesCount(), m.getBytes(),
          m.getSha256(), m.getCheckpoint());
      return 0;
    }
  }
}
