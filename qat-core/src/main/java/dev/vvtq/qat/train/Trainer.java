package dev.vvtq.qat.train;

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
import dev.vvtq.qat.data.ShardRemainder;
import dev.vvtq.qat.data.SubsetSource;
import dev.vvtq.qat.distributed.Placement;
import dev.vvtq.qat.distributed.ProcessGroup;
import dev.vvtq.qat.distributed.StartState;
import dev.vvtq.qat.loss.RegularizerSchedule;
import dev.vvtq.qat.loss.RegularizerTiming;
import dev.vvtq.qat.model.DeitConfig;
import dev.vvtq.qat.model.DeitConfigJson;
import dev.vvtq.qat.model.DeitModels;
import dev.vvtq.qat.model.QuantDeit;
import dev.vvtq.qat.model.QuantizerInit;
import dev.vvtq.qat.softlabel.MultiCropDataset;
import dev.vvtq.qat.softlabel.SoftLabelStore;
import dev.vvtq.qat.softlabel.SoftTargetType;
import dev.vvtq.qat.train.EpochPlan.Segment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The reference's {@code train_VVTQ.py} as a library: float training, hard-label or KD training
 * with multi-crop soft labels, QAT from a float checkpoint, the bin regulariser, checkpoints every
 * pass through the artifact store, exact resume, and validation as VVTQ-METHOD sections 3 to 6
 * describe; in one process or data-parallel over the ranks of a {@link Placement}. A run is
 * prepared (data, model, optimizer, resume, initialisation, plan) and then run by a
 * {@link TrainingLoop}. One run at a time per JVM (DJL allows a single gradient collector).
 */
public final class Trainer {
  /** Decoded images are kept in memory up to this many bytes (Fashion-MNIST needs ~140 MB). */
  static final long IMAGE_CACHE_BYTES = 1L << 30;

  private static final int CALIBRATION_IMAGES = 64;

  private final TrainSpec spec;
  private final ArtifactStore store;
  private final Path workDir;
  private final TrainingListener listener;
  private final BooleanSupplier cancelRequested;
  private final Placement placement;

  /**
   * A run in this process on the CPU.
   *
   * @param store where checkpoints, run.json and metrics go (and where store-key references in the
   *     spec are resolved)
   * @param workDir where the run fetches checkpoints and soft labels, into a folder of its own that
   *     is removed when the run ends
   * @param cancelRequested polled after every step; when true the run checkpoints and stops
   */
  public Trainer(TrainSpec spec, ArtifactStore store, Path workDir, TrainingListener listener,
      BooleanSupplier cancelRequested) {
    this(spec, store, workDir, listener, cancelRequested, Placement.LOCAL_CPU);
  }

  /**
   * A run in {@code placement}: on every rank of its group with the same arguments. Rank 0 alone
   * writes to the store and tells {@code listener}; any rank's cancel stops all of them at the same step.
   */
  public Trainer(TrainSpec spec, ArtifactStore store, Path workDir, TrainingListener listener,
      BooleanSupplier cancelRequested, Placement placement) {
    this.spec = spec.validated();
    this.store = store;
    this.workDir = workDir;
    this.placement = placement;
    TrainingListener given = listener == null ? new TrainingListener() {} : listener;
    this.listener = placement.group().isRoot() ? given : new TrainingListener() {};
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
    ProcessGroup group = placement.group();
    LoadedCheckpoint resumed = spec.resume() == null ? null : CheckpointRepository.resolve(store, spec.resume(), fetched);
    // Resuming continues the same run (its folder, record and history) unless a new id is given.
    String runId = spec.runId() == null && resumed != null && resumed.manifest() != null
        ? resumed.manifest().field("run_id").map(n -> n.asText()).orElse(runIdFor(spec))
        : runIdFor(spec);
    RunRecord record = RunRecord.load(store, runId)
        .filter(r -> resumed != null)
        .map(r -> r.withStatus(RunStatus.RUNNING, "resumed from " + spec.resume()))
        .orElse(RunRecord.create(runId, "train", RunStatus.RUNNING, spec, spec.epochs()));
    record.spec().put(RegularizerTiming.RECORD_KEY, RegularizerTiming.DEFAULT.id());
    try (NDManager root = NDManager.newBaseManager(placement.device());
        PreparedRun run = prepare(runId, resumed, record, fetched, root)) {
      TrainingLoop loop = new TrainingLoop(run, spec, listener, cancelRequested, placement);
      return loop.run(started);
    } catch (IOException | RuntimeException e) {
      if (group.isRoot()) {
        try {
          RunRecord failed = RunRecord.load(store, runId).orElse(record)
              .withStatus(RunStatus.FAILED, e.getMessage() == null ? e.toString() : e.getMessage());
          failed.save(store);
        } catch (IOException | RuntimeException ignored) {
          // The original failure matters more than a record that could not be written.
        }
      }
      throw e;
    }
  }

  /**
   * Everything before the first step: data, model (new, resumed or fine-tuned), optimizer,
   * quantizer initialisation on rank 0 and its broadcast, this rank's loaders, plan and schedules.
   */
  private PreparedRun prepare(String runId, LoadedCheckpoint resumed, RunRecord record, Path fetched, NDManager root)
      throws IOException {
    ProcessGroup group = placement.group();
    int ranks = group.size();
    if (spec.batchSize() % ranks != 0) {
      throw new IllegalArgumentException("--batch-size " + spec.batchSize() + " is the global batch and must divide"
          + " evenly over the " + ranks + " ranks (each takes batch-size / ranks)");
    }
    int rankBatch = spec.batchSize() / ranks;
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
    QuantDeit model = resumed == null ? QuantDeit.create(config, root, spec.seed()) : ModelWeights.load(resumed.modelFile(), root);
    if (resumed != null && !model.config().equals(config)) {
      throw new IllegalArgumentException("checkpoint " + spec.resume() + " holds " + DeitConfigJson.toString(model.config())
          + " but the spec asks for " + DeitConfigJson.toString(config) + "; resume with the checkpoint's settings");
    }
    TrainingState state = TrainingState.start();
    List<EpochRecord> history = new ArrayList<>();
    AdamW optimizer = AdamW.withDefaults(model.namedParameters(), root, spec.weightDecay());
    SoftLabelStore softLabels = null;
    List<DataLoader> loaders = new ArrayList<>();
    try {
      if (resumed != null) {
        if (resumed.optimizerFile() == null || resumed.state().isEmpty()) {
          throw new IllegalArgumentException(spec.resume() + " has no optimizer state: --resume needs a full checkpoint "
              + "(use --finetune to start a new run from bare weights)");
        }
        checkWorldSize(resumed, ranks);
        CheckpointRepository.loadOptimizer(optimizer, resumed.optimizerFile());
        state = resumed.state().get();
        if (group.isRoot()) {
          // Rank 0 writes: the record regains any epoch a crash left only in a checkpoint's manifest.
          record = new CheckpointRepository(store, runId).reconcile(record, state);
          history.addAll(record.history());
        } else {
          int epochsDone = state.epoch();
          history.addAll(record.history().stream().filter(h -> h.epochsDone() <= epochsDone).toList());
        }
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
      softLabels = spec.usesSoftLabels() ? openSoftLabels(trainFolder, fetched) : null;
      SampleSource single = trainingSource(trainFolder, softLabels, 1, input, trainCache);
      SampleSource multi = softLabels != null && spec.numCrops() > 1
          ? trainingSource(trainFolder, softLabels, spec.numCrops(), input, trainCache) : null;
      SampleSource val = SubsetSource.limit(
          ImageFolderSource.evaluation(valFolder, config.evalPreprocessor(), valCache), spec.limitVal());
      int workers = Math.max(0, spec.threads());
      // DistributedSampler's shards: one epoch permutation, padded to a multiple of the ranks, interleaved.
      LoaderOptions training = LoaderOptions.training(rankBatch, workers, spec.seed())
          .sharded(group.rank(), ranks, ShardRemainder.PAD_BY_REPEATING);
      DataLoader singleLoader = new DataLoader(single, training);
      loaders.add(singleLoader);
      DataLoader multiLoader = multi == null ? null : new DataLoader(multi, training);
      loaders.add(multiLoader);
      DataLoader valLoader = new DataLoader(val, LoaderOptions.evaluation(rankBatch, workers)
          .sharded(group.rank(), ranks, ShardRemainder.UNEVEN));
      loaders.add(valLoader);
      if (singleLoader.batchesPerEpoch() == 0) {
        throw new IllegalArgumentException("--batch-size " + spec.batchSize() + " is larger than the " + single.size()
            + " training images: no full batch to train on");
      }
      if (resumed == null && config.quantized() && group.isRoot()) {
        listener.onMessage("initialising step sizes: weights by MSE, activations from " + CALIBRATION_IMAGES + " training images");
        QuantizerInit.initWeightSteps(model);
        calibrateActivations(model, trainFolder, workers);
      }
      optimizer.restoreSteps(StartState.broadcast(model, optimizer.momentArrays(), optimizer.steps(), group));
      List<Segment> plan = EpochPlan.of(spec.epochs(), spec.warmupEpochs(), spec.numCrops(), softLabels != null);
      long totalSteps = 0;
      for (Segment s : plan) {
        totalSteps += (s.multiCrop() ? multiLoader : singleLoader).batchesPerEpoch();
      }
      long warmupSteps = (long) spec.warmupEpochs() * singleLoader.batchesPerEpoch();
      LearningRateSchedule lrSchedule = new LearningRateSchedule(spec.lr(), spec.minLr(), spec.warmupLr(), warmupSteps, totalSteps);
      RegularizerSchedule regSchedule = new RegularizerSchedule(spec.epochs());
      // A resumed run's latest checkpoint stays its own until this invocation writes a newer one.
      String latest = resumed != null ? record.latestCheckpoint() : null;
      RunCheckpointer checkpointer = new RunCheckpointer(store, runId, group.isRoot(), listener, spec,
          valFolder.classes(), ranks, record, history, latest);
      checkpointer.started(state);
      listener.onMessage(String.format(java.util.Locale.ROOT,
          "run %s: %s %s, %d train / %d val images, %d classes, %d epochs in %d passes, %d steps, batch %d%s%s",
          runId, config.name(), config.bitsLabel(), single.size(), val.size(), config.numClasses(), spec.epochs(),
          plan.size(), totalSteps, spec.batchSize(), softLabels != null ? ", KD from " + spec.softlabelPath() : ", hard labels",
          ranks > 1 ? String.format(java.util.Locale.ROOT, ", %d ranks of %d", ranks, rankBatch) : ""));
      return new PreparedRun(runId, model, optimizer, singleLoader, multiLoader, valLoader, softLabels,
          valFolder.classes(), plan, totalSteps, lrSchedule, regSchedule, state, checkpointer);
    } catch (IOException | RuntimeException e) {
      try (SoftLabelStore labels = softLabels; AdamW o = optimizer) {
        for (DataLoader l : loaders) {
          if (l != null) {
            l.close();
          }
        }
      } catch (IOException | RuntimeException closing) {
        e.addSuppressed(closing);
      }
      throw e;
    }
  }

  /** Another world size shards, pads and draws drop-path masks differently: such a resume would not be exact. */
  private void checkWorldSize(LoadedCheckpoint resumed, int ranks) {
    int trainedOn = resumed.manifest() == null ? 1
        : resumed.manifest().field(RunCheckpointer.WORLD_SIZE_FIELD).map(n -> n.asInt()).orElse(1);
    if (trainedOn != ranks) {
      throw new IllegalArgumentException(spec.resume() + " was trained on " + trainedOn + " rank(s) and this run has "
          + ranks + ": resume with the same world size (mpirun -np " + trainedOn + ", or no mpirun for 1), since"
          + " another one changes the epoch's padding and the drop-path masks and the resume would not be exact");
    }
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

  private static void calibrateActivations(QuantDeit model, ImageFolder train, int workers) {
    SampleSource calib = SubsetSource.limit(
        ImageFolderSource.evaluation(train, model.config().evalPreprocessor(), null), CALIBRATION_IMAGES);
    try (DataLoader loader = new DataLoader(calib, LoaderOptions.evaluation(CALIBRATION_IMAGES, workers));
        NDManager m = model.manager().newSubManager();
        DataLoader.EpochIterator it = loader.epoch(0, m)) {
      Batch b = it.next(m);
      QuantizerInit.initActivationSteps(model, b.images());
    }
  }

  /**
   * Drop-path masks of a step depend only on the run seed, the step and the rank, so a resume
   * replays them; rank 0 (and the one process) draws exactly what a run without ranks drew.
   */
  static long dropPathSeed(long seed, long step, int rank) {
    return rank == 0 ? dropPathSeed(seed, step) : dropPathSeed(dev.vvtq.qat.data.SampleSeeds.of(seed, rank, -2), step);
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
