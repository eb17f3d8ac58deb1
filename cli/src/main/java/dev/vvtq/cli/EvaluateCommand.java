package dev.vvtq.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vvtq.artifacts.store.ArtifactStore;
import dev.vvtq.engine.EngineOptions;
import dev.vvtq.engine.IntDeit;
import dev.vvtq.engine.model.ExportedModel;
import dev.vvtq.engine.model.ModelConfig;
import dev.vvtq.engineeval.EngineEvaluation;
import dev.vvtq.qat.data.ImageFolder;
import dev.vvtq.qat.data.SampleSource;
import dev.vvtq.qat.eval.EvaluationJson;
import dev.vvtq.qat.eval.EvaluationResult;
import dev.vvtq.qat.jobs.CheckpointEvaluation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code vvtq evaluate}: top-1/top-5 of a checkpoint (DJL fake quantization) or of an exported model
 * (the integer engine) on a split (Resize + CenterCrop, as the reference).
 */
@Command(
    name = "evaluate",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Top-1 / top-5 over DATA/val (or --split): shorter side resized to",
      "input/crop_pct (the model's own), centre crop, normalisation.",
      "--engine djl (default) scores a checkpoint with DJL fake quantization;",
      "--engine int scores an exported model (vvtq export) with the pure-Java",
      "integer engine, preprocessed as its metadata says. Prints the reference's",
      "' * Acc@1 X Acc@5 Y' line; --out writes per-class accuracy and the",
      "confusion matrix as JSON.",
    })
public final class EvaluateCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec cmd;

  @Option(names = "--engine", defaultValue = "djl", paramLabel = "ENGINE",
      description = "djl: a checkpoint on DJL (fake quantization, as training validates); int: an exported model on"
          + " the integer engine. Default: ${DEFAULT-VALUE}.")
  String engine;

  @Option(names = "--resume", paramLabel = "CKPT",
      description = "Checkpoint to score: a folder, model.safetensors, or a store key (runs/<id>, runs/<id>@best)."
          + " With --engine int: the exported model, as --model-path.")
  String checkpoint;

  @Option(names = "--model-path", paramLabel = "MODEL",
      description = "With --engine int: the exported model, a folder or a store key models/<name>/<version>.")
  String modelPath;

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

  @Option(names = {"-j", "--threads"}, defaultValue = "2", description = "Data-loading threads (DJL). Default: ${DEFAULT-VALUE}.")
  int threads;

  @Option(names = "--engine-threads", description = "With --engine int: engine threads. Default: every core.")
  Integer engineThreads;

  @Option(names = "--out", paramLabel = "FILE", description = "Write the result (per-class accuracy, confusion matrix) as JSON.")
  Path out;

  @Mixin StoreOptions store;

  /** With --engine int: the integer-engine backend. */
  @Mixin EngineBackendOption backend;

  @Override
  public Integer call() throws Exception {
    switch (engine) {
      case "djl" -> {
        if (checkpoint == null) {
          throw new CommandLine.ParameterException(cmd.commandLine(),
              "--engine djl scores a checkpoint: give --resume CKPT");
        }
        if (modelPath != null) {
          throw new CommandLine.ParameterException(cmd.commandLine(),
              "--model-path names an exported model, which --engine int scores; --engine djl scores --resume CKPT");
        }
        return evaluateCheckpoint();
      }
      case "int" -> {
        if ((checkpoint == null) == (modelPath == null)) {
          throw new CommandLine.ParameterException(cmd.commandLine(),
              "--engine int scores an exported model: give --model-path MODEL (a folder or models/<name>/<version>)");
        }
        return evaluateExported(modelPath != null ? modelPath : checkpoint);
      }
      default -> throw new CommandLine.ParameterException(cmd.commandLine(),
          "--engine must be djl or int, got '" + engine + "'");
    }
  }

  private Integer evaluateExported(String ref) throws Exception {
    ImageFolder folder = ImageFolder.split(data, split);
    ExportedModel exported;
    try {
      exported = ExportedModelOption.load(ref, store);
    } catch (dev.vvtq.engine.model.ModelFormatException e) {
      throw new IllegalArgumentException(e.getMessage()
          + (checkpoint != null ? " (--engine int scores exported models; a checkpoint is scored with --engine djl)" : ""), e);
    }
    ModelConfig cfg = exported.config();
    String bits = "W" + cfg.wbits() + "A" + cfg.abits();
    check("model", model, cfg.name());
    check("wbits", wbits, cfg.wbits());
    check("abits", abits, cfg.abits());
    EngineEvaluation.classCountMismatch(exported, folder).ifPresent(m -> {
      throw new IllegalArgumentException(m);
    });
    EngineEvaluation.classNameMismatch(exported, folder)
        .ifPresent(m -> cmd.commandLine().getErr().println(cmd.qualifiedName() + ": warning: " + m));
    EngineOptions options = backend.apply(EngineOptions.defaults());
    if (engineThreads != null) {
      options = options.withThreads(engineThreads);
    }
    SampleSource source = EngineEvaluation.source(exported, folder, limit);
    EvaluationResult r;
    String backendName;
    try (IntDeit intDeit = IntDeit.of(exported, options);
        ProgressBar bar = new ProgressBar(cmd.commandLine().getErr())) {
      backendName = intDeit.backendName();
      r = EngineEvaluation.evaluate(intDeit, source, folder.classes(), batchSize,
          acc -> bar.progress("evaluate", acc.images(), source.size()));
    }
    cmd.commandLine().getOut().println(r.referenceLine());
    cmd.commandLine().getOut().printf(Locale.ROOT, "%s %s (int-engine, %d threads) on %d images of %s: %.1f images/s%n",
        cfg.name(), bits, options.threads(), r.images(), folder.root(), r.imagesPerSecond());
    cmd.commandLine().getOut().printf(Locale.ROOT, "engine backend: %s%n", backendName);
    if (out != null) {
      ObjectNode subject = new ObjectMapper().createObjectNode();
      subject.put("model_path", ref);
      subject.put("model_sha256", exported.sha256());
      subject.put("model", cfg.name());
      subject.put("bits", bits);
      subject.put("engine", "int");
      subject.put("engine_backend", backendName);
      subject.put("data", folder.root().toString());
      Files.write(out, EvaluationJson.bytes(EvaluationJson.toJson(r, subject)));
    }
    return 0;
  }

  private Integer evaluateCheckpoint() throws Exception {
    return GracefulStop.run(cmd.qualifiedName(), cmd.commandLine().getErr(), this::evaluateCheckpoint);
  }

  private int evaluateCheckpoint(GracefulStop stop) throws Exception {
    CheckpointEvaluation.Spec spec = new CheckpointEvaluation.Spec(checkpoint, data, split, limit, batchSize, threads);
    CheckpointEvaluation.Result r;
    try (ArtifactStore artifacts = store.open(); ProgressBar bar = new ProgressBar(cmd.commandLine().getErr())) {
      r = CheckpointEvaluation.run(spec, artifacts, null, c -> {
        check("model", model, c.config().name());
        check("wbits", wbits, c.config().wbits());
        check("abits", abits, c.config().abits());
      }, (acc, images) -> {
        stop.throwIfRequested();
        bar.progress("evaluate", acc.images(), images);
      });
    }
    cmd.commandLine().getOut().println(r.result().referenceLine());
    cmd.commandLine().getOut().printf(Locale.ROOT, "%s %s on %d images of %s: %.1f images/s%n", r.config().name(),
        r.config().bitsLabel(), r.result().images(), r.splitRoot(), r.result().imagesPerSecond());
    if (out != null) {
      ObjectNode subject = new ObjectMapper().createObjectNode();
      subject.put("checkpoint", checkpoint);
      subject.put("model", r.config().name());
      subject.put("bits", r.config().bitsLabel());
      subject.put("engine", "djl");
      subject.put("data", r.splitRoot().toString());
      Files.write(out, EvaluationJson.bytes(EvaluationJson.toJson(r.result(), subject)));
    }
    return 0;
  }

  private static void check(String what, Object expected, Object actual) {
    if (expected != null && !expected.equals(actual)) {
      throw new IllegalArgumentException("--" + what + " " + expected + " does not match the checkpoint's " + actual);
    }
  }
}
