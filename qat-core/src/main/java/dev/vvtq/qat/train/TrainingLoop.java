package dev.vvtq.qat.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.vvtq.qat.checkpoint.TrainingState;
import dev.vvtq.qat.data.Batch;
import dev.vvtq.qat.data.DataLoader;
import dev.vvtq.qat.distributed.Placement;
import dev.vvtq.qat.eval.EvaluationResult;
import dev.vvtq.qat.loss.RegularizerTiming;
import dev.vvtq.qat.model.QuantDeit;
import dev.vvtq.qat.train.EpochPlan.Segment;
import java.io.IOException;
import java.util.function.BooleanSupplier;

/**
 * The step loop of a {@link PreparedRun}: passes, steps, and at their edges the collaborators that
 * keep the books ({@link StepTotals}), measure ({@link StepTelemetry}), agree to stop ({@link StopVote}),
 * validate ({@link EpochValidation}) and publish ({@link RunCheckpointer}).
 */
final class TrainingLoop {
  private final PreparedRun run;
  private final TrainSpec spec;
  private final TrainingListener listener;
  private final BooleanSupplier cancelRequested;
  private final Placement placement;
  private final StepTelemetry telemetry;
  private final EpochValidation validation;
  private final StopVote stopVote;
  private TrainingState state;
  private EvaluationResult lastValidation;

  TrainingLoop(PreparedRun run, TrainSpec spec, TrainingListener listener, BooleanSupplier cancelRequested,
      Placement placement) {
    this.run = run;
    this.spec = spec;
    this.listener = listener;
    this.cancelRequested = cancelRequested;
    this.placement = placement;
    this.telemetry = new StepTelemetry(run.model(), placement.group().isRoot());
    this.validation = new EpochValidation(run.validation(), run.classes(), placement.group());
    this.stopVote = new StopVote(placement.group());
    this.state = run.state();
  }

  /** Trains every pass not done yet; returns the result (cancelled or finished). */
  TrainingResult run(long startedNanos) throws IOException {
    RunCheckpointer books = run.checkpointer();
    EvaluationResult lastVal = null;
    for (Segment segment : run.plan()) {
      if (segment.endEpoch() <= state.epoch()) {
        continue;
      }
      int from = segment.firstEpoch() == state.epoch() ? state.batchInPass() : 0;
      if (!runSegment(segment, run.loaderFor(segment), from)) {
        return result(true, lastVal, startedNanos);
      }
      lastVal = lastValidation;
    }
    books.succeeded();
    return result(false, lastVal, startedNanos);
  }

  private TrainingResult result(boolean cancelled, EvaluationResult lastVal, long startedNanos) {
    RunCheckpointer books = run.checkpointer();
    double secs = (System.nanoTime() - startedNanos) / 1e9;
    return new TrainingResult(run.runId(), cancelled, lastVal, state.bestTop1(), books.bestPointer(state),
        books.lastCheckpoint(), books.history(), secs);
  }

  /** Trains one pass from batch {@code from}; false when stopped (after checkpointing). */
  private boolean runSegment(Segment segment, DataLoader loader, int from) throws IOException {
    QuantDeit model = run.model();
    int batches = loader.batchesPerEpoch();
    StepTotals totals = new StepTotals(placement.group());
    long segStart = System.nanoTime();
    double lambda = 0;
    double lr = 0;
    try (NDManager scope = model.manager().newSubManager();
        DataLoader.EpochIterator it = loader.epoch(segment.firstEpoch(), scope, from)) {
      for (int b = from; b < batches; b++) {
        long step = state.globalStep();
        lr = run.lrSchedule().at(step);
        int epochOfStep = segment.firstEpoch() + (int) ((long) b * segment.epochs() / batches);
        lambda = spec.reg() ? run.regSchedule().lambda(RegularizerTiming.DEFAULT.epoch(segment.firstEpoch(), epochOfStep)) : 0;
        TrainingStep.Result r;
        try (NDManager stepManager = scope.newSubManager()) {
          Batch batch = it.next(stepManager);
          NDArray targets = batch.targets() == batch.labels()
              ? batch.labels().oneHot(model.config().numClasses()).toType(ai.djl.ndarray.types.DataType.FLOAT32, false)
              : batch.targets();
          int[] labels = Trainer.toInts(batch.labels().toLongArray());
          r = TrainingStep.run(model, run.optimizer(), placement.gradients(), placement.group().size(), stepManager, batch.images(), targets, labels,
              lr, lambda, Trainer.dropPathSeed(spec.seed(), step, placement.group().rank()), telemetry.recordsRangesAt(step));
        }
        telemetry.afterStep(step, r);
        state = new TrainingState(segment.firstEpoch(), b + 1, step + 1, state.bestTop1(), state.bestStep());
        totals.add(r);
        double elapsed = (System.nanoTime() - segStart) / 1e9;
        double ips = totals.seen() / Math.max(elapsed, 1e-9);
        double stepsPerSec = (b + 1 - from) / Math.max(elapsed, 1e-9);
        double eta = (run.totalSteps() - state.globalStep()) / Math.max(stepsPerSec, 1e-9);
        listener.onStep(new StepProgress(epochOfStep, spec.epochs(), state.globalStep(), run.totalSteps(), b + 1, batches,
            totals.meanLoss(), totals.meanKd(), totals.meanReg(), totals.top1(), totals.top5(), lr, lambda,
            ips, eta, telemetry.oscillatingFraction(), telemetry.tracker().stats(), telemetry.kurtosis(), telemetry.ranges()));
        if (stopVote.agreed(cancelRequested.getAsBoolean()) && b + 1 < batches) {
          run.checkpointer().cancelled(model, run.optimizer(), state);
          return false;
        }
      }
    }
    double seconds = (System.nanoTime() - segStart) / 1e9;
    listener.onMessage(String.format(java.util.Locale.ROOT, "validating after epoch %d", segment.endEpoch()));
    EvaluationResult val = validation.evaluate(model);
    lastValidation = val;
    listener.onMessage(val.referenceLine());
    boolean best = val.top1() > state.bestTop1();
    TrainingState done = new TrainingState(segment.endEpoch(), 0, state.globalStep(),
        best ? val.top1() : state.bestTop1(), best ? state.globalStep() : state.bestStep());
    EpochRecord rec = new EpochRecord(segment.firstEpoch(), segment.epochs(), done.globalStep(), totals.meanLoss(),
        totals.meanKd(), totals.meanReg(), totals.top1(), totals.top5(), val.top1(), val.top5(), val.loss(), lr, lambda,
        telemetry.oscillatingFraction(), totals.seen() / Math.max(seconds, 1e-9), seconds, null);
    state = done;
    run.checkpointer().passDone(model, run.optimizer(), state, rec, best);
    return true;
  }
}
