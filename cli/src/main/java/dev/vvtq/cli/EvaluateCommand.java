package dev.vvtq.cli;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vvtq.artifacts.store.ArtifactStore;
import dev.vvtq.qat.checkpoint.CheckpointRepository;
import dev.vvtq.qat.checkpoint.LoadedCheckpoint;
import dev.vvtq.qat.checkpoint.ModelWeights;
import dev.vvtq.qat.data.DataLoader;
import dev.vvtq.qat.data.ImageFolder;
import dev.vvtq.qat.data.ImageFolderSource;
import dev.vvtq.qat.data.LoaderOptions;
import dev.vvtq.qat.data.SampleSource;
import dev.vvtq.qat.data.SubsetSource;
import dev.vvtq.qat.eval.EvaluationJson;
import dev.vvtq.qat.eval.EvaluationResult;
import dev.vvtq.qat.eval.Evaluator;
import dev.vvtq.qat.model.DeitConfig;
import dev.vvtq.qat.model.QuantDeit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code vvtq evaluate}: top-1/top-5 of a checkpoint on a split (Resize + CenterCrop, as the reference). */
@Command(
    name = "evaluate",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Top-1 / top-5 of a checkpoint over DATA/val (or --split): shorter side resized to input/0.875, centre crop,",
      "ImageNet normalisation. Prints the reference's ' * Acc@1 X Acc@5 Y' line; --out writes per-class",
      "accuracy and the confusion matrix as JSON.",
    })
public final class EvaluateCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec cmd;

  @Option(names = "--resume", required = true, paramLabel = "CKPT",
      description = "Checkpoint to score: a folder, model.safetensors, or a store key (runs/<id>, runs/<id>@best).")
  String checkpoint;

  @Option(names = "--model", description = "Expected architecture; checked against the checkpoint when given.")
  String model;

  @Option(names = "--wbits", description = "Expected weight bits; checked against the checkpoint when given.")
  Integer wbits;

  @Option(names = "--abits", description = "Expected activation bits; checked against the checkpoint when given.")
  Integer abits;

  @Option(names = "--data", required = true, paramLabel = "DIR", description = "ImageFolder root.")
  Path data;

  @Option(names = "--split", defaultValue = "val", description = "Subfolder of DATA to score. Default: ${DEFAULT-VALUE}.")
  String split;

  @Option(names = {"-b", "--batch-size"}, defaultValue = "256", description = "Images per batch. Default: ${DEFAULT-VALUE}.")
  int batchSize;

  @Option(names = "--limit-val", defaultValue = "0", description = "Score N evenly spaced images (0 = all).")
  int limit;

  @Option(names = {"-j", "--threads"}, defaultValue = "2", description = "Data-loading threads. Default: ${DEFAULT-VALUE}.")
  int threads;

  @Option(names = "--out", paramLabel = "FILE", description = "Write the result (per-class accuracy, confusion matrix) as JSON.")
  Path out;

  @Mixin StoreOptions store;

  @Override
  public Integer call() throws Exception {
    ImageFolder folder = ImageFolder.split(data, split);
    try (ArtifactStore artifacts = store.open(); NDManager root = NDManager.newBaseManager()) {
      LoadedCheckpoint c = CheckpointRepository.resolve(artifacts, checkpoint, Files.createTempDirectory("vvtq-eval-"));
      try (QuantDeit m = ModelWeights.load(c.modelFile(), root)) {
        DeitConfig cfg = m.config();
        check("model", model, cfg.name());
        check("wbits", wbits, cfg.wbits());
        check("abits", abits, cfg.abits());
        if (cfg.numClasses() != folder.numClasses()) {
          throw new IllegalArgumentException("the checkpoint has " + cfg.numClasses() + " classes but " + folder.root()
              + " has " + folder.numClasses());
        }
        SampleSource source = SubsetSource.limit(
            ImageFolderSource.evaluation(folder, cfg.evalPreprocessor(), null), limit);
        EvaluationResult r;
        try (ProgressBar bar = new ProgressBar(cmd.commandLine().getErr());
            DataLoader loader = new DataLoader(source, LoaderOptions.evaluation(batchSize, threads))) {
          r = Evaluator.evaluate(m, loader, folder.classes(), done -> bar.progress("evaluate", done, source.size()));
        }
        cmd.commandLine().getOut().println(r.referenceLine());
        cmd.commandLine().getOut().printf(Locale.ROOT, "%s %s on %d images of %s: %.1f images/s%n", cfg.name(),
            cfg.bitsLabel(), r.images(), folder.root(), r.imagesPerSecond());
        if (out != null) {
          ObjectNode subject = new ObjectMapper().createObjectNode();
          subject.put("checkpoint", checkpoint);
          subject.put("model", cfg.name());
          subject.put("bits", cfg.bitsLabel());
          subject.put("engine", "djl");
          subject.put("data", folder.root().toString());
          Files.write(out, EvaluationJson.bytes(EvaluationJson.toJson(r, subject)));
        }
      }
    }
    return 0;
  }

  private static void check(String what, Object expected, Object actual) {
    if (expected != null && !expected.equals(actual)) {
      throw new IllegalArgumentException("--" + what + " " + expected + " does not match the checkpoint's " + actual);
    }
  }
}
