package dev.vvtq.evaluator.scoring;

import com.google.protobuf.Timestamp;
import dev.vvtq.artifacts.files.ScratchFolder;
import dev.vvtq.proto.v1.ArtifactRef;
import dev.vvtq.proto.v1.ClassAccuracy;
import dev.vvtq.proto.v1.ConfusionMatrix;
import dev.vvtq.proto.v1.EvalEngine;
import dev.vvtq.proto.v1.EvalProgress;
import dev.vvtq.proto.v1.Evaluation;
import dev.vvtq.proto.v1.EvaluationState;
import dev.vvtq.qat.data.ImageFolder;
import dev.vvtq.qat.data.SampleSource;
import dev.vvtq.qat.eval.EvaluationResult;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * Scores one artifact on one dataset: checks the request, waits for a slot, fetches and opens the
 * artifact, streams running accuracy, and stores the evaluation (RUNNING at the start, then
 * SUCCEEDED or FAILED with the reason).
 */
public final class EvaluationRunner {
  private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

  private final Scorers scorers;
  private final EvaluationRecords records;
  private final EvaluationSlots slots;
  private final Path workDir;
  private final int defaultBatchSize;
  private final Duration progressInterval;
  private final EvalMetrics metrics;
  private final ShutdownGate gate = new ShutdownGate();

  public EvaluationRunner(Scorers scorers, EvaluationRecords records, EvaluationSlots slots, Path workDir,
      int defaultBatchSize, Duration progressInterval, EvalMetrics metrics) {
    this.scorers = scorers;
    this.records = records;
    this.slots = slots;
    this.workDir = workDir;
    this.defaultBatchSize = defaultBatchSize;
    this.progressInterval = progressInterval;
    this.metrics = metrics;
  }

  /** What to score, how; checked by {@link #check}. */
  public record Request(ArtifactRef artifact, ImageFolder split, String dataset, EvalEngine engine, int batchSize, int limit,
      boolean confusion) {}

  /** Checks the parts every request has; the split is resolved once for a batch of artifacts. */
  public static void checkCommon(int batchSize, int limit) {
    if (batchSize < 0) {
      throw new IllegalArgumentException("batch_size: must be >= 0 (0 = the service's default), got " + batchSize);
    }
    if (limit < 0) {
      throw new IllegalArgumentException("limit: must be >= 0 (0 = all images), got " + limit);
    }
  }

  /** Checks the artifact reference and that it exists (INVALID_ARGUMENT / NOT_FOUND before any work). */
  public void check(Request r) throws IOException {
    checkCommon(r.batchSize(), r.limit());
    scorers.check(r.artifact(), r.engine());
  }

  public static String newId() {
    return "eval-" + ID_TIME.format(Instant.now()) + "-"
        + Integer.toHexString(0x10000 + ThreadLocalRandom.current().nextInt(0xF0000));
  }

  /** Runs a checked request under {@code id}; {@code progress} gets running accuracy. Failures are stored, then thrown. */
  public Evaluation run(String id, Request r, Consumer<EvalProgress> progress) throws Exception {
    EvalEngine engine = Scorers.engineFor(r.artifact(), r.engine());
    Instant started = Instant.now();
    Evaluation.Builder e = Evaluation.newBuilder().setId(id).setArtifact(r.artifact()).setDataset(r.dataset())
        .setEngine(engine).setState(EvaluationState.EVALUATION_STATE_RUNNING).setStarted(timestamp(started));
    gate.enter();
    try {
      return run(id, r, progress, engine, e);
    } finally {
      gate.exit();
    }
  }

  /**
   * Stops running evaluations at their next batch (each is recorded FAILED, the caller gets
   * UNAVAILABLE), refuses new ones, and waits at most {@code bound}; for the service's shutdown.
   */
  public int stopAll(Duration bound) throws InterruptedException {
    return gate.close(bound);
  }

  private Evaluation run(String id, Request r, Consumer<EvalProgress> progress, EvalEngine engine, Evaluation.Builder e)
      throws Exception {
    slots.acquire();
    try {
      records.save(e.build());
      try (ScratchFolder scratch = ScratchFolder.createIn(workDir, id + "-");
          ArtifactScorer scorer = scorers.open(r.artifact(), r.engine(), scratch.path())) {
        if (scorer.numClasses() != r.split().numClasses()) {
          throw new IllegalArgumentException("the artifact has " + scorer.numClasses() + " classes but dataset "
              + r.split().root() + " has " + r.split().numClasses());
        }
        SampleSource source = scorer.source(r.split(), r.limit());
        int batch = r.batchSize() == 0 ? defaultBatchSize : r.batchSize();
        long t0 = System.nanoTime();
        long[] lastSent = {Long.MIN_VALUE};
        EvaluationResult result = scorer.score(source, r.split().classes(), batch, acc -> {
          gate.checkpoint();
          long now = System.nanoTime();
          boolean last = acc.images() == source.size();
          if (progress == null || (!last && lastSent[0] != Long.MIN_VALUE && now - lastSent[0] < progressInterval.toNanos())) {
            return;
          }
          lastSent[0] = now;
          EvaluationResult so = acc.result(null, (now - t0) / 1e9);
          double rate = so.imagesPerSecond();
          progress.accept(EvalProgress.newBuilder().setImagesDone(acc.images()).setImagesTotal(source.size())
              .setTop1(so.top1()).setTop5(so.top5()).setImagesPerSecond(rate)
              .setEtaSeconds(rate > 0 ? (source.size() - acc.images()) / rate : 0).build());
        });
        fill(e, result, r.confusion());
        e.setArtifactSha256(scorer.sha256()).setEngineBackend(scorer.backend()).setState(EvaluationState.EVALUATION_STATE_SUCCEEDED)
            .setFinished(timestamp(Instant.now()));
        Evaluation done = e.build();
        records.save(done);
        metrics.finished(engine, "succeeded", done.getImages(), done.getSeconds());
        return done;
      }
    } catch (Exception | Error failure) {
      String why = failure.getMessage() == null ? failure.toString() : failure.getMessage();
      e.setState(EvaluationState.EVALUATION_STATE_FAILED).setError(why).setFinished(timestamp(Instant.now()));
      try {
        records.save(e.build());
      } catch (IOException | RuntimeException ignored) {
        // The failure itself matters more than its record.
      }
      metrics.finished(engine, "failed", 0, 0);
      throw failure;
    } finally {
      slots.release();
    }
  }

  private static void fill(Evaluation.Builder e, EvaluationResult r, boolean confusion) {
    e.setImages(r.images()).setTop1(r.top1()).setTop5(r.top5()).setLoss(r.loss())
        .setImagesPerSecond(r.imagesPerSecond()).setSeconds(r.seconds());
    long[][] m = r.confusion();
    for (int c = 0; c < m.length; c++) {
      long n = 0;
      for (long x : m[c]) {
        n += x;
      }
      double top1 = r.perClassTop1()[c];
      e.addPerClass(ClassAccuracy.newBuilder().setIndex(c).setLabel(r.classNames().get(c)).setImages(n)
          .setTop1(Double.isNaN(top1) ? 0 : top1));
    }
    if (confusion) {
      ConfusionMatrix.Builder cm = ConfusionMatrix.newBuilder().setNumClasses(m.length);
      for (long[] row : m) {
        for (long x : row) {
          cm.addCounts(x);
        }
      }
      e.setConfusion(cm);
    }
  }

  static Timestamp timestamp(Instant t) {
    return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
  }
}
