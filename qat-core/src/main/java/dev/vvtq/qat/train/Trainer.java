package dev.vvtq.qat.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.vvtq.artifacts.files.ScratchFolder;
import dev.vvtq.artifacts.safetensors.SafetensorsReader;
import dev.vvtq.artifacts.store.ArtifactStore;
import dev.vvtq.imaging.Normalization;
import dev.vvtq.imaging.RandomResizedCrop;
import dev.vvtq.imaging.TrainingTransform;
import dev.vvtq.qat.checkpoint.CheckpointRepository;
import dev.vvtq.qat.checkpoint.LoadedCheckpoint;
import dev.vvtq.qat.checkpoint.ModelWeights;
import dev.vvtq.qat.checkpoint.TrainingState;
import dev.vvtq.qat.data.Batch;
import dev.vvtq.qat.data.DataLoader;
import dev.vvtq.qat.data.DecodedImageCache;
import dev.vvtq.qat.data.ImageFolder;
import dev.vvtq.qat.data.ImageFolderSource;
import dev.vvtq.qat.data.LoaderOptions;
import dev.vvtq.qat.data.SampleSource;
import dev.vvtq.qat.data.SubsetSource;
import dev.vvtq.qat.eval.EvaluationResult;
import dev.vvtq.qat.eval.Evaluator;
import dev.vvtq.qat.loss.RegularizerSchedule;
import dev.vvtq.qat.loss.RegularizerTiming;
import dev.vvtq.qat.model.DeitConfig;
import dev.vvtq.qat.model.DeitConfigJson;
import dev.vvtq.qat.model.DeitModels;
import dev.vvtq.qat.model.QuantDeit;
import dev.vvtq.qat.model.QuantizerInit;
import dev.vvtq.qat.quant.WeightQuantized;
import dev.vvtq.qat.softlabel.MultiCropDataset;
import dev.vvtq.qat.softlabel.SoftLabelStore;
import dev.vvtq.qat.softlabel.SoftTargetType;
import dev.vvtq.qat.telemetry.OscillationTracker;
import dev.vvtq.qat.telemetry.WeightKurtosis;
import dev.vvtq.qat.train.EpochPlan.Segment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The reference's {@code train_VVTQ.py} as a library: float training, hard-label or KD training
 * with multi-crop soft labels, QAT from a float checkpoint, the bin regulariser, checkpoints every
 * pass through the artifact store, exact resume, and validation as VVTQ-METHOD sections 3 to 6
 * describe. One run at a time per JVM (DJL allows a single gradient collector).
 */
public final class Trainer {
  /** Decoded images are kept in memory up to this many bytes (Fashion-MNIST needs ~140 MB). */
  static final long IMAGE_CACHE_BYTES = 1L << 30;

  /** Activation ranges and per-layer kurtosis are refreshed this often (steps). */
  static final int TELEMETRY_INTERVAL = 25;

  private static final int CALIBRATION_IMAGES = 64;

  private final TrainSpec spec;
  private final ArtifactStore store;
  private final Path workDir;
  private final TrainingListener listener;
  private final BooleanSupplier cancelRequested;

  /**
   * @param store where checkpoints, run.json and metrics go (and where store-key references in the
   *     spec are resolved)
   * @param workDir where the run fetches checkpoints and soft labels, into a folder of its own that
   *     is removed when the run ends
   * @param cancelRequested polled after every step; when true the run checkpoints and stops
   */
  public Trainer(TrainSpec spec, ArtifactStore store, Path workDir, TrainingListener listener,
      BooleanSupplier cancelRequested) {
    this.spec = spec.validated();
    this.store = store;
    this.workDir = workDir;
    this.listener = listener == null ? new TrainingListener() {} : listener;
    this.cancelRequested = cancelRequested == null ? () -> false : cancelRequested;
  }

  /** The run id this trainer uses (the spec's, or one derived from model, bits and time). */
  public static String runIdFor(TrainSpec spec) {
    if (spec.runId() != null) {
      return spec.runId();
    }
    String bits = DeitModels.get(spec.model(), spec.wbits(), spec.abits()).bitsLabel().toLowerCase(java.util.Locale.ROOT);
    return spec.model() + "-" + bits + "-" + java.time.LocalDateTime.now()
        .format(java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
  }

  /** Runs the whole training; returns when done, cancelled, or throws on failure. */
  public TrainingResult run() throws IOException {
    // Soft labels are read from their fetched shards throughout training, so the folder lives as long as the run.
    try (ScratchFolder fetched = ScratchFolder.createIn(workDir, "vvtq-run-")) {
      return run(fetched.path());
    }
  }

  private TrainingResult run(Path fetched) throws IOException {
    long started = System.nanoTime();
    LoadedCheckpoint resumed = spec.resume() == null ? null : CheckpointRepository.resolve(store, spec.resume(), fetched);
    // Resuming continues the same run (its folder, record and history) unless a new id is given.
    String runId = spec.runId() == null && resumed != null && resumed.manifest() != null
        ? resumed.manifest().field("run_id").map(n -> n.asText()).orElse(runIdFor(spec))
        : runIdFor(spec);
    Path data = Path.of(spec.data());
    ImageFolder trainFolder = ImageFolder.split(data, "train");
    ImageFolder valFolder = ImageFolder.split(data, "val");
    if (!trainFolder.classes().equals(valFolder.classes())) {
      throw new IllegalArgumentException(
          "train/ and val/ of " + data + " have different classes: " + trainFolder.classes() + " vs " + valFolder.classes());
    }
    DeitConfig config = DeitModels.get(spec.model(), spec.wbits(), spec.abits())
        .withNumClasses(trainFolder.numClasses())
        .withOptions(spec.headWise(), spec.useOffset(), spec.dropPath());
    RunRecord record = RunRecord.load(store, runId)
        .filter(r -> resumed != null)
        .map(r -> r.withStatus(RunStatus.RUNNING, "resumed from " + spec.resume()))
        .orElse(RunRecord.create(runId, "train", RunStatus.RUNNING, spec, spec.epochs()));
    record.spec().put(RegularizerTiming.RECORD_KEY, RegularizerTiming.DEFAULT.id());
    CheckpointRepository checkpoints = new CheckpointRepository(store, runId);

    try (NDManager root = NDManager.newBaseManager()) {
      QuantDeit model = resumed == null ? QuantDeit.create(config, root, spec.seed()) : ModelWeights.load(resumed.modelFile(), root);
      if (resumed != null && !model.config().equals(config)) {
        throw new IllegalArgumentException("checkpoint " + spec.resume() + " holds " + DeitConfigJson.toString(model.config())
            + " but the spec asks for " + DeitConfigJson.toString(config) + "; resume with the checkpoint's settings");
      }
      AdamW optimizer = AdamW.withDefaults(model.namedParameters(), root, spec.weightDecay());
      TrainingState state = TrainingState.start();
      List<EpochRecord> history = new ArrayList<>();
      if (resumed != null) {
        if (resumed.optimizerFile() == null || resumed.state().isEmpty()) {
          throw new IllegalArgumentException(spec.resume() + " has no optimizer state: --resume needs a full checkpoint "
              + "(use --finetune to start a new run from bare weights)");
        }
        CheckpointRepository.loadOptimizer(optimizer, resumed.optimizerFile());
        state = resumed.state().get();
        record = checkpoints.reconcile(record, state);
        history.addAll(record.history());
        listener.onMessage("resumed " + spec.resume() + " at epoch " + state.epoch() + ", step " + state.globalStep());
      }
      if (spec.finetune() != null) {
        LoadedCheckpoint ft = CheckpointRepository.resolve(store, spec.finetune(), fetched);
        try (SafetensorsReader r = SafetensorsReader.open(ft.modelFile())) {
          ModelWeights.LoadReport report = ModelWeights.loadInto(model, r, true);
          if (!report.clean()) {
            throw new IllegalArgumentException("--finetune " + spec.finetune() + " does not fit " + config.name()
                + " with " + config.numClasses() + " classes: " + report);
          }
          listener.onMessage("loaded " + report.loaded().size() + " float tensors from " + spec.finetune());
        }
      }

      DecodedImageCache trainCache = new DecodedImageCache(trainFolder.size(), IMAGE_CACHE_BYTES);
      DecodedImageCache valCache = new DecodedImageCache(valFolder.size(), IMAGE_CACHE_BYTES / 4);
      int input = config.imgSize();
      SoftLabelStore softLabels = spec.usesSoftLabels() ? openSoftLabels(trainFolder, fetched) : null;
      SampleSource single = trainingSource(trainFolder, softLabels, 1, input, trainCache);
      SampleSource multi = softLabels != null && spec.numCrops() > 1
          ? trainingSource(trainFolder, softLabels, spec.numCrops(), input, trainCache) : null;
      SampleSource val = SubsetSource.limit(
          ImageFolderSource.evaluation(valFolder, config.evalPreprocessor(), valCache), spec.limitVal());
      int workers = Math.max(0, spec.threads());
      try (DataLoader singleLoader = new DataLoader(single, LoaderOptions.training(spec.batchSize(), workers, spec.seed()));
          DataLoader multiLoader = multi == null ? null : new DataLoader(multi, LoaderOptions.training(spec.batchSize(), workers, spec.seed()));
          DataLoader valLoader = new DataLoader(val, LoaderOptions.evaluation(spec.batchSize(), workers));
          AdamW opt = optimizer) {
        if (singleLoader.batchesPerEpoch() == 0) {
          throw new IllegalArgumentException("--batch-size " + spec.batchSize() + " is larger than the " + single.size()
              + " training images: no full batch to train on");
        }
        if (resumed == null && config.quantized()) {
          listener.onMessage("initialising step sizes: weights by MSE, activations from " + CALIBRATION_IMAGES + " training images");
          QuantizerInit.initWeightSteps(model);
          calibrateActivations(model, trainFolder, workers);
        }
        List<Segment> plan = EpochPlan.of(spec.epochs(), spec.warmupEpochs(), spec.numCrops(), softLabels != null);
        long totalSteps = 0;
        for (Segment s : plan) {
          totalSteps += loaderFor(s, singleLoader, multiLoader).batchesPerEpoch();
        }
        long warmupSteps = (long) spec.warmupEpochs() * singleLoader.batchesPerEpoch();
        LearningRateSchedule lrSchedule = new LearningRateSchedule(spec.lr(), spec.minLr(), spec.warmupLr(), warmupSteps, totalSteps);
        RegularizerSchedule regSchedule = new RegularizerSchedule(spec.epochs());
        // A resumed run's latest checkpoint stays its own until this invocation writes a newer one.
        String latest = resumed != null ? record.latestCheckpoint() : null;
        record = record.withProgress(history, state.bestTop1(), bestPointer(state, runId), latest);
        record.save(store);
        listener.onMessage(String.format(java.util.Locale.ROOT,
            "run %s: %s %s, %d train / %d val images, %d classes, %d epochs in %d passes, %d steps, batch %d%s",
            runId, config.name(), config.bitsLabel(), single.size(), val.size(), config.numClasses(), spec.epochs(),
            plan.size(), totalSteps, spec.batchSize(), softLabels != null ? ", KD from " + spec.softlabelPath() : ", hard labels"));

        Loop loop = new Loop(model, opt, checkpoints, lrSchedule, regSchedule, totalSteps, valLoader, valFolder.classes(), runId);
        loop.state = state;
        loop.history = history;
        loop.record = record;
        loop.lastCheckpoint = latest;
        EvaluationResult lastVal = null;
        for (Segment segment : plan) {
          if (segment.endEpoch() <= loop.state.epoch()) {
            continue;
          }
          DataLoader loader = loaderFor(segment, singleLoader, multiLoader);
          int from = segment.firstEpoch() == loop.state.epoch() ? loop.state.batchInPass() : 0;
          boolean finished = loop.runSegment(segment, loader, from);
          if (!finished) {
            double secs = (System.nanoTime() - started) / 1e9;
            return new TrainingResult(runId, true, lastVal, loop.state.bestTop1(), bestPointer(loop.state, runId),
                loop.lastCheckpoint, List.copyOf(loop.history), secs);
          }
          lastVal = loop.lastValidation;
        }
        loop.record = loop.record.withStatus(RunStatus.SUCCEEDED, "done");
        loop.record.save(store);
        double secs = (System.nanoTime() - started) / 1e9;
        return new TrainingResult(runId, false, lastVal, loop.state.bestTop1(), bestPointer(loop.state, runId),
            loop.lastCheckpoint, List.copyOf(loop.history), secs);
      } finally {
        if (softLabels != null) {
          softLabels.close();
        }
      }
    } catch (IOException | RuntimeException e) {
      try {
        RunRecord failed = RunRecord.load(store, runId).orElse(record)
            .withStatus(RunStatus.FAILED, e.getMessage() == null ? e.toString() : e.getMessage());
        failed.save(store);
      } catch (IOException | RuntimeException ignored) {
        // The original failure matters more than a record that could not be written.
      }
      throw e;
    }
  }

  private static String bestPointer(TrainingState s, String runId) {
    return s.bestStep() < 0 ? null : "runs/" + runId + "/checkpoints/" + s.bestStep();
  }

  private static DataLoader loaderFor(Segment s, DataLoader single, DataLoader multi) {
    return s.multiCrop() ? multi : single;
  }

  private SoftLabelStore openSoftLabels(ImageFolder train, Path fetched) throws IOException {
    Path folder = Path.of(spec.softlabelPath());
    if (!Files.isDirectory(folder)) {
      Path into = Files.createDirectories(fetched.resolve("softlabels"));
      try {
        store.fetchVerified(spec.softlabelPath(), into);
      } catch (dev.vvtq.artifacts.store.ArtifactNotFoundException e) {
        throw new IllegalArgumentException("--softlabel_path " + spec.softlabelPath()
            + " is neither a local folder nor a published soft-label artifact in " + store.location(), e);
      }
      folder = into;
    }
    SoftLabelStore labels = SoftLabelStore.open(folder);
    try {
      labels.checkMatches(train);
      SoftTargetType.fromCliName(spec.softLabelType()).checkUsable(labels.topK(), train.numClasses());
    } catch (RuntimeException e) {
      labels.close();
      throw e;
    }
    return labels;
  }

  private SampleSource trainingSource(ImageFolder folder, SoftLabelStore labels, int crops, int input, DecodedImageCache cache) {
    SampleSource s = labels == null
        ? ImageFolderSource.training(folder, new TrainingTransform(input,
            new RandomResizedCrop(spec.minCropScale(), 1.0, 3.0 / 4.0, 4.0 / 3.0), Normalization.IMAGENET), cache)
        : new MultiCropDataset(folder, labels, crops, input, SoftTargetType.fromCliName(spec.softLabelType()),
            Normalization.IMAGENET, cache);
    return SubsetSource.limit(s, spec.limitTrain());
  }

  private void calibrateActivations(QuantDeit model, ImageFolder train, int workers) {
    SampleSource calib = SubsetSource.limit(
        ImageFolderSource.evaluation(train, model.config().evalPreprocessor(), null), CALIBRATION_IMAGES);
    try (DataLoader loader = new DataLoader(calib, LoaderOptions.evaluation(CALIBRATION_IMAGES, workers));
        NDManager m = model.manager().newSubManager();
        DataLoader.EpochIterator it = loader.epoch(0, m)) {
      Batch b = it.next(m);
      QuantizerInit.initActivationSteps(model, b.images());
    }
  }

  /** The step loop and its bookkeeping. */
  private final class Loop {
    private final QuantDeit model;
    private final AdamW optimizer;
    private final CheckpointRepository checkpoints;
    private final LearningRateSchedule lrSchedule;
    private final RegularizerSchedule regSchedule;
    private final long totalSteps;
    private final DataLoader valLoader;
    private final List<String> classes;
    private final String runId;
    private final OscillationTracker oscillation = new OscillationTracker(0.99);
    private final int oscillationInterval;
    private TrainingState state;
    private List<EpochRecord> history;
    private RunRecord record;
    private String lastCheckpoint;
    private EvaluationResult lastValidation;
    private Map<String, float[]> ranges = Map.of();
    private Map<String, Double> kurtosis = Map.of();

    Loop(QuantDeit model, AdamW optimizer, CheckpointRepository checkpoints, LearningRateSchedule lr,
        RegularizerSchedule reg, long totalSteps, DataLoader valLoader, List<String> classes, String runId) {
      this.model = model;
      this.optimizer = optimizer;
      this.checkpoints = checkpoints;
      this.lrSchedule = lr;
      this.regSchedule = reg;
      this.totalSteps = totalSteps;
      this.valLoader = valLoader;
      this.classes = classes;
      this.runId = runId;
      long weights = model.weightLayers().values().stream().mapToLong(w -> w.weight().shape().size()).sum();
      // Reading every weight back to Java costs ~1 ms per 200k weights: keep it under ~5% of a step.
      this.oscillationInterval = weights <= 2_000_000 ? 1 : 10;
    }

    /** Trains one pass from batch {@code from}; false when cancelled (after checkpointing). */
    boolean runSegment(Segment segment, DataLoader loader, int from) throws IOException {
      int batches = loader.batchesPerEpoch();
      double lossSum = 0;
      double kdSum = 0;
      double regSum = 0;
      long hits1 = 0;
      long hits5 = 0;
      long seen = 0;
      long segStart = System.nanoTime();
      long segImages = 0;
      boolean quantized = model.config().quantized();
      double lambda = 0;
      double lr = 0;
      try (NDManager scope = model.manager().newSubManager();
          DataLoader.EpochIterator it = loader.epoch(segment.firstEpoch(), scope, from)) {
        for (int b = from; b < batches; b++) {
          long step = state.globalStep();
          lr = lrSchedule.at(step);
          int epochOfStep = segment.firstEpoch() + (int) ((long) b * segment.epochs() / batches);
          lambda = spec.reg() ? regSchedule.lambda(RegularizerTiming.DEFAULT.epoch(segment.firstEpoch(), epochOfStep)) : 0;
          boolean telemetry = quantized && step % TELEMETRY_INTERVAL == 0;
          TrainingStep.Result r;
          try (NDManager stepManager = scope.newSubManager()) {
            Batch batch = it.next(stepManager);
            NDArray targets = batch.targets() == batch.labels()
                ? batch.labels().oneHot(model.config().numClasses()).toType(ai.djl.ndarray.types.DataType.FLOAT32, false)
                : batch.targets();
            int[] labels = toInts(batch.labels().toLongArray());
            r = TrainingStep.run(model, optimizer, stepManager, batch.images(), targets, labels, lr, lambda,
                dropPathSeed(spec.seed(), step), telemetry);
          }
          if (telemetry) {
            ranges = r.activationRanges();
            kurtosis = kurtosisByLayer();
          }
          if (quantized && step % oscillationInterval == 0) {
            oscillation.observe(model.weightLayers());
          }
          state = new TrainingState(segment.firstEpoch(), b + 1, step + 1, state.bestTop1(), state.bestStep());
          lossSum += r.loss() * r.batch();
          kdSum += r.kdLoss() * r.batch();
          regSum += r.regularizer() * r.batch();
          hits1 += r.correctTop1();
          hits5 += r.correctTop5();
          seen += r.batch();
          segImages += r.batch();
          double elapsed = (System.nanoTime() - segStart) / 1e9;
          double ips = segImages / Math.max(elapsed, 1e-9);
          double stepsPerSec = (b + 1 - from) / Math.max(elapsed, 1e-9);
          double eta = (totalSteps - state.globalStep()) / Math.max(stepsPerSec, 1e-9);
          listener.onStep(new StepProgress(epochOfStep, spec.epochs(), state.globalStep(), totalSteps, b + 1, batches,
              lossSum / seen, kdSum / seen, regSum / seen, 100.0 * hits1 / seen, 100.0 * hits5 / seen, lr, lambda,
              ips, eta, oscillation.overallOscillatingFraction(), oscillation.stats(), kurtosis, ranges));
          if (cancelRequested.getAsBoolean() && b + 1 < batches) {
            CheckpointRepository.Saved saved = checkpoints.save(model, optimizer, state, fields(null), false);
            lastCheckpoint = saved.prefix();
            listener.onCheckpoint(saved, false);
            record = record.withProgress(history, state.bestTop1(), bestPointer(state, runId), lastCheckpoint)
                .withStatus(RunStatus.CANCELLED, "cancelled at step " + state.globalStep() + "; resume with --resume runs/" + runId);
            record.save(store);
            listener.onMessage("cancelled: checkpoint " + saved.prefix());
            return false;
          }
        }
      }
      double seconds = (System.nanoTime() - segStart) / 1e9;
      listener.onMessage(String.format(java.util.Locale.ROOT, "validating after epoch %d", segment.endEpoch()));
      EvaluationResult val = Evaluator.evaluate(model, valLoader, classes, null);
      lastValidation = val;
      listener.onMessage(val.referenceLine());
      boolean best = val.top1() > state.bestTop1();
      TrainingState done = new TrainingState(segment.endEpoch(), 0, state.globalStep(),
          best ? val.top1() : state.bestTop1(), best ? state.globalStep() : state.bestStep());
      double n = Math.max(1, seen);
      EpochRecord rec = new EpochRecord(segment.firstEpoch(), segment.epochs(), done.globalStep(), lossSum / n, kdSum / n,
          regSum / n, 100.0 * hits1 / n, 100.0 * hits5 / n, val.top1(), val.top5(), val.loss(), lr, lambda,
          oscillation.overallOscillatingFraction(), seen / Math.max(seconds, 1e-9), seconds, null);
      state = done;
      CheckpointRepository.Saved saved = checkpoints.save(model, optimizer, state, fields(rec), best);
      lastCheckpoint = saved.prefix();
      rec = rec.withCheckpoint(saved.prefix());
      history.add(rec);
      listener.onCheckpoint(saved, best);
      listener.onEpoch(rec);
      record = record.withProgress(history, state.bestTop1(), bestPointer(state, runId), lastCheckpoint);
      record.save(store);
      record.saveMetrics(store);
      return true;
    }

    private Map<String, Object> fields(EpochRecord rec) {
      Map<String, Object> f = new LinkedHashMap<>();
      f.put("spec", spec);
      f.put("class_names", classes);
      f.put(RegularizerTiming.RECORD_KEY, RegularizerTiming.DEFAULT.id());
      if (rec != null) {
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("val_top1", rec.valTop1());
        metrics.put("val_top5", rec.valTop5());
        metrics.put("val_loss", rec.valLoss());
        metrics.put("train_loss", rec.trainLoss());
        metrics.put("train_top1", rec.trainTop1());
        metrics.put("oscillating_fraction", rec.oscillatingFraction());
        f.put("metrics", metrics);
        f.put(CheckpointRepository.EPOCH_RECORD_FIELD, CheckpointRepository.epochRecordJson(rec));
      }
      return f;
    }

    private Map<String, Double> kurtosisByLayer() {
      Map<String, Double> out = new LinkedHashMap<>();
      for (Map.Entry<String, WeightQuantized> e : model.weightLayers().entrySet()) {
        out.put(e.getKey(), WeightKurtosis.of(e.getValue().weight().values()));
      }
      return out;
    }
  }

  /** Drop-path masks of a step depend only on the run seed and the step, so a resume replays them. */
  static long dropPathSeed(long seed, long step) {
    long z = seed * 0x9E3779B97F4A7C15L + step;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  static int[] toInts(long[] values) {
    int[] out = new int[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (int) values[i];
    }
    return out;
  }
}
