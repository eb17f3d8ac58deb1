package dev.vvtq.cli.remote;

import dev.vvtq.proto.v1.ArtifactRef;
import dev.vvtq.proto.v1.ClassAccuracy;
import dev.vvtq.proto.v1.EvalEngine;
import dev.vvtq.proto.v1.EvaluateBatchRequest;
import dev.vvtq.proto.v1.EvaluateBatchResponse;
import dev.vvtq.proto.v1.EvaluateEvent;
import dev.vvtq.proto.v1.EvaluateRequest;
import dev.vvtq.proto.v1.Evaluation;
import dev.vvtq.proto.v1.EvaluationRow;
import dev.vvtq.proto.v1.EvaluatorGrpc;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code vvtq remote evaluate}: Evaluate (one artifact, with progress) or EvaluateBatch (several) on the eval service. */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Score checkpoints and exported models on DATA (its val/ folder, else DATA itself) on the eval service.",
        "One artifact: progress, then Acc@1/Acc@5 and per-class accuracy. Several: one table row each."})
public final class RemoteEvaluateCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec cmd;

  @Mixin EvaluatorTarget target;

  @Option(names = {"--checkpoint", "--resume"}, paramLabel = "CKPT", description = "A checkpoint key, e.g. runs/<id>@best (repeatable).")
  List<String> checkpoints = new ArrayList<>();

  @Option(names = "--model", paramLabel = "KEY", description = "An exported model, models/<name>/<version> (repeatable).")
  List<String> models = new ArrayList<>();

  @Option(names = "--data", required = true, paramLabel = "DIR", description = "ImageFolder root on the eval service's machine.")
  String data;

  @Option(names = "--engine", description = "int (exported models) or djl (checkpoints); default: by artifact.")
  String engine;

  @Option(names = {"-b", "--batch-size"}, defaultValue = "0", description = "Images per forward pass (0: the service's default).")
  int batchSize;

  @Option(names = "--limit", defaultValue = "0", description = "Score only the first N images (0: all).")
  int limit;

  @Option(names = "--confusion", description = "Also compute the confusion matrix.")
  boolean confusion;

  @Option(names = "--out", paramLabel = "FILE", description = "Write the result(s) as JSON.")
  Path out;

  @Override
  public Integer call() throws Exception {
    List<ArtifactRef> refs = new ArrayList<>();
    checkpoints.forEach(c -> refs.add(ArtifactRef.newBuilder().setCheckpoint(c).build()));
    models.forEach(m -> refs.add(ArtifactRef.newBuilder().setModel(m).build()));
    if (refs.isEmpty()) {
      throw new CommandLine.ParameterException(cmd.commandLine(), "give --checkpoint or --model (or several)");
    }
    EvalEngine e = engine == null ? EvalEngine.EVAL_ENGINE_UNSPECIFIED
        : EvalEngine.valueOf("EVAL_ENGINE_" + engine.toUpperCase(Locale.ROOT));
    PrintWriter w = cmd.commandLine().getOut();
    try (Target t = Target.open(target.target)) {
      EvaluatorGrpc.EvaluatorBlockingStub stub = EvaluatorGrpc.newBlockingStub(t.channel());
      if (refs.size() == 1) {
        Iterator<EvaluateEvent> events = stub.evaluate(EvaluateRequest.newBuilder().setArtifact(refs.get(0)).setDataset(data)
            .setEngine(e).setBatchSize(batchSize).setLimit(limit).setConfusionMatrix(confusion).build());
        Evaluation result = null;
        while (events.hasNext()) {
          EvaluateEvent ev = events.next();
          if (ev.hasProgress()) {
            w.printf(Locale.ROOT, "%s: %d/%d images, Acc@1 %.2f so far, %.1f images/s%n", ev.getEvaluationId(),
                ev.getProgress().getImagesDone(), ev.getProgress().getImagesTotal(), ev.getProgress().getTop1(),
                ev.getProgress().getImagesPerSecond());
          } else if (ev.hasResult()) {
            result = ev.getResult();
          }
        }
        if (result == null) {
          throw new IllegalStateException("the evaluation stream ended without a result");
        }
        print(w, result);
        write(Printing.json(result));
        return 0;
      }
      EvaluateBatchResponse table = stub.evaluateBatch(EvaluateBatchRequest.newBuilder().addAllArtifacts(refs).setDataset(data)
          .setEngine(e).setBatchSize(batchSize).setLimit(limit).build());
      w.printf(Locale.ROOT, "%-44s %-5s %8s %8s %10s  %s%n", "ARTIFACT", "ENG", "ACC@1", "ACC@5", "IMAGES/S", "EVALUATION / ERROR");
      int failed = 0;
      for (EvaluationRow row : table.getRowsList()) {
        String name = row.getArtifact().hasCheckpoint() ? row.getArtifact().getCheckpoint() : row.getArtifact().getModel();
        if (row.hasEvaluation()) {
          Evaluation v = row.getEvaluation();
          w.printf(Locale.ROOT, "%-44s %-5s %8.3f %8.3f %10.1f  %s%n", name, engineName(v.getEngine()), v.getTop1(),
              v.getTop5(), v.getImagesPerSecond(), v.getId());
        } else {
          failed++;
          w.printf(Locale.ROOT, "%-44s %-5s %8s %8s %10s  %s (%s)%n", name, "-", "-", "-", "-", row.getError(),
              io.grpc.Status.fromCodeValue(row.getErrorCode()).getCode());
        }
      }
      write(Printing.json(table));
      return failed == 0 ? 0 : 1;
    }
  }

  private void print(PrintWriter w, Evaluation v) {
    w.printf(Locale.ROOT, " * Acc@1 %.3f Acc@5 %.3f%n", v.getTop1(), v.getTop5());
    w.printf(Locale.ROOT, "%s (%s) on %d images: loss %.4f, %.1f images/s, evaluation %s%n",
        v.getArtifact().hasCheckpoint() ? v.getArtifact().getCheckpoint() : v.getArtifact().getModel(),
        engineName(v.getEngine()), v.getImages(), v.getLoss(), v.getImagesPerSecond(), v.getId());
    for (ClassAccuracy c : v.getPerClassList()) {
      w.printf(Locale.ROOT, "  %-24s %6d images  Acc@1 %.2f%n", c.getLabel(), c.getImages(), c.getTop1());
    }
  }

  private static String engineName(EvalEngine e) {
    return e.name().replace("EVAL_ENGINE_", "").toLowerCase(Locale.ROOT);
  }

  private void write(String json) throws java.io.IOException {
    if (out != null) {
      Files.writeString(out, json + "\n", StandardCharsets.UTF_8);
    }
  }
}
