package dev.vvtq.cli;

import ai.djl.ndarray.NDManager;
import dev.vvtq.qat.model.DeitConfig;
import dev.vvtq.qat.model.DeitModels;
import dev.vvtq.qat.model.QuantDeit;
import dev.vvtq.qat.nn.Param;
import dev.vvtq.qat.nn.ParamKind;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code vvtq models}: the architectures and their sizes. */
@Command(name = "models", mixinStandardHelpOptions = true,
    description = "List the architectures: input, patch, width, depth, heads, parameters, and weight bytes in FP32 and W4A4 (4-bit body, 8-bit patch embedding and head).")
public final class ModelsCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec cmd;

  @Override
  public Integer call() {
    var out = cmd.commandLine().getOut();
    out.printf("%-24s %6s %5s %5s %5s %5s %8s %12s %10s %10s%n", "model", "input", "patch", "dim", "depth", "heads",
        "classes", "parameters", "FP32 MB", "W4A4 MB");
    try (NDManager root = NDManager.newBaseManager()) {
      for (String name : DeitModels.names()) {
        DeitConfig c = DeitModels.get(name, 4, 4);
        long params = 0;
        double w4Bytes = 0;
        try (QuantDeit m = QuantDeit.create(c, root, 0)) {
          for (var e : m.namedParameters().entrySet()) {
            Param p = e.getValue();
            if (p.kind() == ParamKind.STEP || p.kind() == ParamKind.OFFSET) {
              continue;
            }
            long n = p.shape().size();
            params += n;
            boolean weight = p.kind() == ParamKind.WEIGHT;
            boolean edge = e.getKey().startsWith("patch_embed") || e.getKey().startsWith("head");
            w4Bytes += weight ? (edge ? n : n / 2.0) : 4.0 * n;
          }
        }
        out.printf("%-24s %6d %5d %5d %5d %5d %8d %,12d %10.2f %10.2f%n", name, c.imgSize(), c.patchSize(), c.embedDim(),
            c.depth(), c.numHeads(), c.numClasses(), params, params * 4 / 1e6, w4Bytes / 1e6);
      }
    }
    return 0;
  }
}
