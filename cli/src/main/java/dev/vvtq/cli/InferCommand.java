package dev.vvtq.cli;

import dev.vvtq.engine.EngineOptions;
import dev.vvtq.engine.IntDeit;
import dev.vvtq.engine.Prediction;
import dev.vvtq.engine.model.ExportedModel;
import dev.vvtq.engineeval.EngineEvaluation;
import dev.vvtq.imaging.EvalPreprocessor;
import dev.vvtq.imaging.ImageDecodeException;
import dev.vvtq.imaging.ImageDecoder;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vvtq infer}: classify image files with an exported integer model on the int-engine. */
@Command(
    name = "infer",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Classify images with an exported integer model (vvtq export) on the pure-Java",
      "integer engine. Each image is preprocessed as the model's metadata says",
      "(shorter side to img_size/crop_pct, centre crop, mean/std); its top classes",
      "are printed with their softmax probabilities. An image that cannot be read",
      "is reported and skipped, and the exit code is then 1.",
    })
public final class InferCommand implements Callable<Integer> {
  /** Images per engine call. */
  static final int CHUNK = 16;

  @CommandLine.Spec CommandLine.Model.CommandSpec cmd;

  @Option(names = "--model-path", required = true, paramLabel = "MODEL",
      description = "Exported model: a folder holding manifest.json and model.safetensors, or a store key"
          + " models/<name>/<version> (read from --store).")
  String model;

  @Option(names = {"-k", "--top"}, defaultValue = "5", description = "Classes to print per image. Default: ${DEFAULT-VALUE}.")
  int top;

  @Option(names = {"-j", "--threads"}, description = "Engine threads. Default: every core.")
  Integer threads;

  @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "Image files (PNG, JPEG, BMP, GIF, PPM/PGM, ...).")
  List<Path> images;

  @Mixin StoreOptions store;

  @Mixin EngineBackendOption backend;

  @Override
  public Integer call() throws Exception {
    if (top < 1) {
      throw new CommandLine.ParameterException(cmd.commandLine(), "--top must be at least 1, got " + top);
    }
    ExportedModel exported = ExportedModelOption.load(model, store);
    EvalPreprocessor pre = EngineEvaluation.preprocessor(exported);
    PrintWriter out = cmd.commandLine().getOut();
    PrintWriter err = cmd.commandLine().getErr();
    EngineOptions options = backend.apply(EngineOptions.defaults());
    if (threads != null) {
      options = options.withThreads(threads);
    }
    int failed = 0;
    try (IntDeit engine = IntDeit.of(exported, options)) {
      // on stderr: stdout stays one block per image for scripts
      err.printf(Locale.ROOT, "%s: engine backend %s (%s, %d threads)%n", cmd.qualifiedName(), engine.backendName(),
          engine.kernelsName(), options.threads());
      err.flush();
      int per = engine.imageFloats();
      int k = Math.min(top, engine.numClasses());
      for (int first = 0; first < images.size(); first += CHUNK) {
        List<Path> chunk = images.subList(first, Math.min(images.size(), first + CHUNK));
        List<Path> ok = new ArrayList<>();
        float[] x = new float[chunk.size() * per];
        for (Path image : chunk) {
          try {
            pre.preprocess(ImageDecoder.decode(image), x, ok.size() * per);
            ok.add(image);
          } catch (ImageDecodeException e) {
            err.println(cmd.qualifiedName() + ": error: " + e.getMessage());
            failed++;
          }
        }
        if (ok.isEmpty()) {
          continue;
        }
        float[] logits = engine.forward(x, ok.size());
        for (int i = 0; i < ok.size(); i++) {
          out.println(ok.get(i));
          int rank = 1;
          for (Prediction p : engine.topK(logits, i, k)) {
            out.printf(Locale.ROOT, "  %d  %-24s %7.3f %%%n", rank++, p.label(), 100.0 * p.probability());
          }
        }
        out.flush();
      }
    }
    if (failed > 0) {
      err.printf(Locale.ROOT, "%s: %d of %d images could not be read%n", cmd.qualifiedName(), failed, images.size());
      return 1;
    }
    return 0;
  }
}
