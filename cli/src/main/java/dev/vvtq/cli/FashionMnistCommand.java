package dev.vvtq.cli;

import dev.vvtq.qat.data.FashionMnistImporter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vvtq data fashion-mnist}: converts Fashion-MNIST's idx files into an ImageFolder of PNGs. */
@Command(
    name = "fashion-mnist",
    mixinStandardHelpOptions = true,
    description = {
      "Write Fashion-MNIST as an ImageFolder of 28x28 grayscale PNGs: OUT/train/<class>/NNNNN.png (60,000)"
          + " and OUT/val/<class>/NNNNN.png (10,000), NNNNN being the index in the idx file.",
      "Class folders 0_tshirt_top .. 9_ankle_boot sort in label order, so ImageFolder labels equal the original labels.",
      "The output appears complete or not at all (built beside it, then renamed); a second run on a complete"
          + " output does nothing."
    })
public final class FashionMnistCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--out", required = true, paramLabel = "DIR",
      description = "Output folder to create (must not exist, be empty, or hold a finished import).")
  Path out;

  @Option(names = "--source", paramLabel = "DIR",
      description = {
        "Folder with train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and"
            + " t10k-labels-idx1-ubyte (each optionally .gz).",
        "Default: /usr/share/datasets/fashion-mnist from the Debian package dataset-fashion-mnist,"
            + " installed with apt-get when missing and running as root."
      })
  Path source;

  @Override
  public Integer call() throws Exception {
    try (ProgressBar bar = new ProgressBar(spec.commandLine().getErr())) {
      FashionMnistImporter.Result r = new FashionMnistImporter(bar, line -> {
        bar.close();
        spec.commandLine().getErr().println(line);
      }).importTo(out, source);
      spec.commandLine().getOut().println((r.alreadyComplete() ? "already complete: " : "imported: ") + r.out()
          + " (train " + r.trainCount() + ", val " + r.valCount() + ")");
    }
    return 0;
  }
}
