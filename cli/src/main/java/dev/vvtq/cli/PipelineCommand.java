package dev.vvtq.cli;

import dev.vvtq.artifacts.manifest.Manifest;
import dev.vvtq.artifacts.store.ArtifactLayout;
import dev.vvtq.artifacts.store.ArtifactStore;
import dev.vvtq.cli.report.TrainingCurvesPlot;
import dev.vvtq.qat.data.FashionMnistImporter;
import dev.vvtq.qat.data.ImageFolder;
import dev.vvtq.qat.eval.EvaluationResult;
import dev.vvtq.qat.jobs.CheckpointEvaluation;
import dev.vvtq.qat.jobs.ModelExportJob;
import dev.vvtq.qat.jobs.SoftLabelJob;
import dev.vvtq.qat.train.RunRecord;
import dev.vvtq.qat.train.RunStatus;
import dev.vvtq.qat.train.TrainSpec;
import dev.vvtq.qat.train.Trainer;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code vvtq pipeline}: the main job on Fashion-MNIST, end to end: import the data, train the float
 * teacher, generate soft labels, run W4A4 VVTQ QAT (KD + regulariser) from the teacher, evaluate
 * both, export the integer model, print a table and plot the training curves.
 */
@Command(
    name = "pipeline",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "The main job on Fashion-MNIST: import -> float teacher -> FKD soft labels -> W4A4 VVTQ QAT (--reg, KD,",
      "--finetune from the teacher) -> evaluation of both -> integer export -> table and PNG plot.",
      "Finished stages are reused on a rerun (delete the work folder to start over).",
    })
public final class PipelineCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec cmd;

  @Option(names = "--work", defaultValue = "work", paramLabel = "DIR",
      description = "Folder for the data set, soft labels and the default store. Default: ${DEFAULT-VALUE}.")
  Path work;

  @Option(names = "--schedule", defaultValue = "quick",
      description = "quick (the default main job, ~25 min on 2 cores) or benchmark (the longer schedule of bench/RESULTS.md).")
  String schedule;

  @Option(names = "--wbits", defaultValue = "4", description = "QAT weight bits. Default: ${DEFAULT-VALUE}.")
  int wbits;

  @Option(names = "--abits", defaultValue = "4", description = "QAT activation bits. Default: ${DEFAULT-VALUE}.")
  int abits;

  @Option(names = {"-j", "--threads"}, defaultValue = "2", description = "Data-loading threads. Default: ${DEFAULT-VALUE}.")
  int threads;

  @Option(names = "--seed", defaultValue = "0", description = "Seed of every stage. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(names = "--data", paramLabel = "DIR",
      description = "Use this ImageFolder (train/ and val/) instead of importing Fashion-MNIST into the work folder.")
  Path dataOverride;

  @Option(names = "--limit-train", description = "Train on N evenly spaced images only (a smoke run; 0 = all).")
  Integer limitTrain;

  @Option(names = {"-b", "--batch-size"}, description = "Override the schedule's batch size (128).")
  Integer batchSize;

  @Option(names = "--epochs-scale", defaultValue = "1", hidden = true,
      description = "Multiply every stage's epochs (a smoke run uses a fraction; at least 1 epoch each).")
  double epochsScale;

  @Mixin StoreOptions store;

  /** The knobs of a schedule. */
  record Schedule(String model, int teacherEpochs, double teacherLr, int qatEpochs, double qatLr, int batch,
      int crops, int numCrops, int limitTrain, double minCropScale) {}

  static Schedule schedule(String name) {
    return switch (name) {
      // Short runs learn fastest without crop augmentation (tools/reference/fmnist_recipe_check.py:
      // the same recipe in PyTorch reaches 87.5% after 5 epochs without, 75% after 3 with crops of 35%+).
      case "quick" -> new Schedule("deit_nano_patch4_32", 5, 1e-3, 2, 5e-4, 128, 2, 2, 0, 1.0);
      // 30 teacher epochs: 20 left the teacher under 90 % and still rising (bench/RESULTS.md).
      case "benchmark" -> new Schedule("deit_nano_patch4_32", 30, 1e-3, 10, 5e-4, 128, 4, 2, 0, 1.0);
      default -> throw new IllegalArgumentException("--schedule must be quick or benchmark, got " + name);
    };
  }

  /** Stops the pipeline at its next safe point on SIGTERM / Ctrl-C; set for the duration of {@link #call}. */
  private GracefulStop stop;

  @Override
  public Integer call() throws Exception {
    return GracefulStop.run(cmd.qualifiedName(), cmd.commandLine().getErr(), s -> {
      stop = s;
      return runStages();
    });
  }

  private int runStages() throws Exception {
    Schedule base = schedule(schedule);
    Schedule s = new Schedule(base.model(), Math.max(1, (int) Math.round(base.teacherEpochs() * epochsScale)),
        base.teacherLr(), Math.max(1, (int) Math.round(base.qatEpochs() * epochsScale)), base.qatLr(),
        batchSize != null ? batchSize : base.batch(), base.crops(), base.numCrops(),
        limitTrain != null ? limitTrain : base.limitTrain(), base.minCropScale());
    PrintWriter out = cmd.commandLine().getOut();
    Files.createDirectories(work);
    if (store.location.equals(StoreOptions.DEFAULT_LOCATION)) {
      store.location = work.resolve("artifacts").toString();
    }
    Map<String, Double> seconds = new LinkedHashMap<>();
    long t0 = System.nanoTime();
    Path data = dataOverride != null ? dataOverride : work.resolve("fashion-mnist");
    if (dataOverride == null) {
      try (ProgressBar bar = new ProgressBar(cmd.commandLine().getErr())) {
        new FashionMnistImporter(bar, line -> {
          bar.close();
          cmd.commandLine().getErr().println(line);
        }).importTo(data, null);
      }
    }
    seconds.put("data", since(t0));
    String bits = "w" + wbits + "a" + abits;
    String teacherRun = "fmnist-fp32-" + schedule;
    String studentRun = "fmnist-" + bits + "-" + schedule;
    try (ArtifactStore artifacts = store.open();
        TrainingConsole console = new TrainingConsole(out, 50, work.resolve("logs/pipeline-" + schedule + ".log"))) {
      long t = System.nanoTime();
      stop.throwIfRequested();
      train(artifacts, console, teacherRun, spec(s, data, teacherRun, -1, -1, s.teacherEpochs(), s.teacherLr(), null, null));
      seconds.put("teacher", since(t));

      t = System.nanoTime();
      stop.throwIfRequested();
      String labelName = "fmnist-teacher-" + schedule;
      String softlabels = labels(artifacts, console, ArtifactLayout.bestCheckpointRef(teacherRun), data, s, labelName);
      seconds.put("soft labels", since(t));

      t = System.nanoTime();
      stop.throwIfRequested();
      TrainSpec qat = spec(s, data, studentRun, wbits, abits, s.qatEpochs(), s.qatLr(), softlabels,
          ArtifactLayout.bestCheckpointRef(teacherRun));
      train(artifacts, console, studentRun, qat);
      seconds.put("QAT", since(t));

      t = System.nanoTime();
      stop.throwIfRequested();
      EvaluationResult fp = evaluate(artifacts, ArtifactLayout.bestCheckpointRef(teacherRun), data, console);
      EvaluationResult q = evaluate(artifacts, ArtifactLayout.bestCheckpointRef(studentRun), data, console);
      seconds.put("evaluation", since(t));

      t = System.nanoTime();
      stop.throwIfRequested();
      long[] sizes = export(artifacts, ArtifactLayout.bestCheckpointRef(studentRun), "fmnist-" + bits, console);
      seconds.put("export", since(t));

      RunRecord fpRec = RunRecord.load(artifacts, teacherRun).orElseThrow();
      RunRecord qRec = RunRecord.load(artifacts, studentRun).orElseThrow();
      Path plot = work.resolve("fmnist-curves-" + schedule + ".png");
      TrainingCurvesPlot.write(List.of(
          new TrainingCurvesPlot.Curve("FP32 teacher", fpRec.history(), false),
          new TrainingCurvesPlot.Curve(bits.toUpperCase(Locale.ROOT) + " VVTQ (KD + reg)", qRec.history(), true)), plot);

      double total = since(t0);
      out.println();
      // A run's own record, not this invocation's clock: a reused or resumed run trained in earlier invocations too.
      out.printf("%-22s %-6s %8s %8s %14s %12s%n", "model", "bits", "top-1", "top-5", "weights (B)", "train time");
      out.printf(Locale.ROOT, "%-22s %-6s %8.2f %8.2f %,14d %12s%n", s.model(), "FP32", fp.top1(), fp.top5(), sizes[0],
          ProgressBar.duration(fpRec.trainingSeconds()));
      out.printf(Locale.ROOT, "%-22s %-6s %8.2f %8.2f %,14d %12s%n", s.model(), bits.toUpperCase(Locale.ROOT), q.top1(),
          q.top5(), sizes[1], ProgressBar.duration(qRec.trainingSeconds()));
      out.println();
      StringBuilder stages = new StringBuilder("wall time:");
      seconds.forEach((k, v) -> stages.append(String.format(Locale.ROOT, " %s %s,", k, ProgressBar.duration(v))));
      out.println(stages + " total " + ProgressBar.duration(total));
      out.println("training curves: " + plot.toAbsolutePath());
      out.println("integer model:   " + artifacts.location() + ArtifactLayout.model("fmnist-" + bits, ModelExportJob.DEFAULT_VERSION)
          + " (serve it with the inference-service, or `./vvtq infer`)");
      out.println("runs:            " + artifacts.location() + ArtifactLayout.run(teacherRun) + ", " + ArtifactLayout.run(studentRun));
    }
    return 0;
  }

  private static double since(long t) {
    return (System.nanoTime() - t) / 1e9;
  }

  private TrainSpec spec(Schedule s, Path data, String runId, int w, int a, int epochs, double lr, String softlabels,
      String finetune) {
    boolean quantized = w > 0;
    return TrainSpec.builder().model(s.model()).data(data.toString()).epochs(epochs).batchSize(s.batch()).lr(lr)
        .minLr(quantized ? 0 : 1e-5).warmupEpochs(quantized || epochs < 2 ? 0 : 1).weightDecay(quantized ? 1e-4 : 0.05)
        .wbits(w).abits(a).reg(quantized).numCrops(s.numCrops()).softlabelPath(softlabels).finetune(finetune)
        .saveCheckpointPath(store.location).runId(runId).seed(seed).dropPath(0.0)
        .limitTrain(s.limitTrain()).threads(threads).minCropScale(s.minCropScale()).build();
  }

  private void train(ArtifactStore artifacts, TrainingConsole console, String runId, TrainSpec spec) throws Exception {
    var existing = RunRecord.load(artifacts, runId);
    if (existing.isPresent() && existing.get().status() == RunStatus.SUCCEEDED) {
      console.onMessage("run " + runId + " already finished: reusing it");
      return;
    }
    if (existing.isPresent() && artifacts.exists(ArtifactLayout.checkpointPointer(runId, "latest"))) {
      TrainSpec resume = spec.toBuilder().finetune(null).resume(ArtifactLayout.run(runId)).build();
      console.onMessage("run " + runId + " was interrupted: resuming it");
      stopIfCancelled(new Trainer(resume, artifacts, work.resolve("tmp"), console, stop::requested).run());
      return;
    }
    stopIfCancelled(new Trainer(spec, artifacts, work.resolve("tmp"), console, stop::requested).run());
  }

  /** A run that stopped on request has written its checkpoint and record; the later stages must not start. */
  private static void stopIfCancelled(dev.vvtq.qat.train.TrainingResult r) {
    if (r.cancelled()) {
      throw new GracefulStop.Stopped();
    }
  }

  private String labels(ArtifactStore artifacts, TrainingConsole console, String teacher, Path data, Schedule s,
      String name) throws Exception {
    String prefix = ArtifactLayout.softLabels(name);
    if (artifacts.exists(prefix + "/" + Manifest.FILE_NAME)) {
      console.onMessage("soft labels " + prefix + " already published: reusing them");
      return prefix;
    }
    SoftLabelJob.Spec spec = new SoftLabelJob.Spec(teacher, null, data, work.resolve(prefix), s.crops(),
        SoftLabelJob.DEFAULT_TOPK, seed, 0, 512, s.minCropScale(), name);
    console.onMessage("labelling " + ImageFolder.split(data, "train").size() + " images x " + s.crops() + " crops with "
        + teacher);
    try (ProgressBar bar = new ProgressBar(cmd.commandLine().getErr())) {
      SoftLabelJob.Result r = SoftLabelJob.run(spec, artifacts, work.resolve("tmp"),
          p -> {
            stop.throwIfRequested();
            bar.progress("soft labels", p.imagesDone(), p.images());
          }, null);
      bar.close();
      console.onMessage("soft labels: " + r.manifest().imageCount() + " images x " + r.manifest().cropsPerImage()
          + " crops, top-" + r.manifest().topK());
      return r.published();
    }
  }

  private EvaluationResult evaluate(ArtifactStore artifacts, String ref, Path data, TrainingConsole console) throws Exception {
    CheckpointEvaluation.Result r = CheckpointEvaluation.run(
        new CheckpointEvaluation.Spec(ref, data, CheckpointEvaluation.DEFAULT_SPLIT, 0, 256, threads), artifacts,
        work.resolve("tmp"), null, (acc, images) -> stop.throwIfRequested());
    console.onMessage(ref + " (" + r.config().bitsLabel() + ") on " + r.result().images() + " val images:"
        + r.result().referenceLine());
    return r.result();
  }

  /** Exports the quantized model; returns {FP32 weight bytes, packed model bytes}. */
  private long[] export(ArtifactStore artifacts, String ref, String name, TrainingConsole console) throws Exception {
    // A rerun exports again over its own earlier export.
    ModelExportJob.Result r = ModelExportJob.run(
        ModelExportJob.Spec.toStore(ref, name, ModelExportJob.DEFAULT_VERSION, true), artifacts, work.resolve("tmp"));
    console.onMessage(String.format(Locale.ROOT, "exported %s: %,d bytes (FP32 weights %,d bytes, %.1fx smaller)",
        r.where(), r.packedBytes(), r.fp32Bytes(), r.fp32Bytes() / (double) r.packedBytes()));
    return new long[] {r.fp32Bytes(), r.packedBytes()};
  }
}
