package dev.vvtq.qat.train;

import dev.vvtq.qat.checkpoint.CheckpointKeys;
import dev.vvtq.qat.model.DeitModels;
import dev.vvtq.qat.quant.QuantRange;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Everything a training run needs, with the reference's flag names in the Javadoc. Defaults are the
 * reference's where it has one ({@link #defaults()}); validation names the flag and the reason.
 *
 * @param model {@code --model}
 * @param data {@code --data}: ImageFolder root with train/ and val/
 * @param epochs {@code --epochs}
 * @param batchSize {@code --batch-size}: crops per step
 * @param lr {@code --lr}
 * @param minLr {@code --min-lr}
 * @param warmupEpochs {@code --warmup-epochs}
 * @param warmupLr {@code --warmup-lr}
 * @param weightDecay {@code --wd}
 * @param wbits {@code --wbits}
 * @param abits {@code --abits}
 * @param reg {@code --reg}: oscillation-aware bin regulariser
 * @param headWise {@code --head-wise}
 * @param useOffset {@code --use-offset}
 * @param numCrops {@code --num_crops}
 * @param softlabelPath {@code --softlabel_path}: soft-label folder or store prefix; null for hard labels
 * @param softLabelType {@code --soft_label_type}
 * @param finetune {@code --finetune}: float checkpoint to start QAT from, or null
 * @param resume {@code --resume}: checkpoint to continue exactly, or null
 * @param saveCheckpointPath {@code --save_checkpoint_path}: the artifact store (folder or s3:// URI)
 * @param runId {@code --run-id}: the run's folder under runs/ (generated when null)
 * @param log {@code --log}: a log file, or null
 * @param seed {@code --seed}
 * @param dropPath {@code --drop-path}
 * @param limitTrain {@code --limit-train}: use only the first N training images (0 = all)
 * @param limitVal {@code --limit-val}: use only the first N validation images (0 = all)
 * @param threads {@code --threads}: data-loader worker threads
 * @param minCropScale {@code --min-crop-scale}: smallest RandomResizedCrop area fraction of
 *     hard-label training (torchvision's 0.08; small images such as Fashion-MNIST learn faster with more)
 */
public record TrainSpec(
    String model,
    String data,
    int epochs,
    int batchSize,
    double lr,
    double minLr,
    int warmupEpochs,
    double warmupLr,
    double weightDecay,
    int wbits,
    int abits,
    boolean reg,
    boolean headWise,
    boolean useOffset,
    int numCrops,
    String softlabelPath,
    String softLabelType,
    String finetune,
    String resume,
    String saveCheckpointPath,
    String runId,
    String log,
    long seed,
    double dropPath,
    int limitTrain,
    int limitVal,
    int threads,
    double minCropScale) {

  /** The soft-target types of {@code --soft_label_type}. */
  public static final Set<String> SOFT_LABEL_TYPES =
      Set.of("hard", "smoothing", "marginal_smoothing_k5", "marginal_smoothing_k10", "marginal_renorm");

  /** The reference's defaults (QAT of DeiT-T W4A4 needs --wbits 4 --abits 4 --reg on top). */
  public static TrainSpec defaults() {
    return new TrainSpec("deit_tiny_patch16_224", null, 150, 512, 5e-4, 1e-5, 5, 1e-6, 1e-4, -1, -1,
        false, false, false, 4, null, "marginal_smoothing_k5", null, null, "work/artifacts", null, null,
        0, 0.1, 0, 0, 2, 0.08);
  }

  /** A problem with one field. */
  public record Violation(String field, String reason) {
    @Override
    public String toString() {
      return "--" + field + ": " + reason;
    }
  }

  /** Every problem with this spec (empty when valid); checks what can be checked without I/O. */
  public List<Violation> violations() {
    List<Violation> v = new ArrayList<>();
    try {
      DeitModels.get(model, -1, -1);
    } catch (IllegalArgumentException e) {
      v.add(new Violation("model", e.getMessage()));
    }
    if (data == null || data.isBlank()) {
      v.add(new Violation("data", "required: an ImageFolder root with train/ and val/"));
    }
    if (epochs < 1) {
      v.add(new Violation("epochs", "must be >= 1, got " + epochs));
    }
    if (batchSize < 1) {
      v.add(new Violation("batch-size", "must be >= 1, got " + batchSize));
    }
    if (!(lr > 0) || !Double.isFinite(lr)) {
      v.add(new Violation("lr", "must be > 0, got " + lr));
    }
    if (minLr < 0 || minLr > lr) {
      v.add(new Violation("min-lr", "must be in [0, lr], got " + minLr));
    }
    if (warmupEpochs < 0 || warmupEpochs >= Math.max(1, epochs)) {
      v.add(new Violation("warmup-epochs", "must be in [0, epochs), got " + warmupEpochs));
    }
    if (weightDecay < 0) {
      v.add(new Violation("wd", "must be >= 0, got " + weightDecay));
    }
    bits(v, "wbits", wbits);
    bits(v, "abits", abits);
    if (reg && QuantRange.isFloat(wbits)) {
      v.add(new Violation("reg", "the bin regulariser needs quantized weights (--wbits 2..8)"));
    }
    if (numCrops < 1) {
      v.add(new Violation("num_crops", "must be >= 1, got " + numCrops));
    }
    if (softLabelType == null || !SOFT_LABEL_TYPES.contains(softLabelType)) {
      v.add(new Violation("soft_label_type", "must be one of " + SOFT_LABEL_TYPES + ", got " + softLabelType));
    }
    if (finetune != null && resume != null) {
      v.add(new Violation("finetune", "cannot be combined with --resume (the checkpoint already holds the weights)"));
    }
    if (saveCheckpointPath == null || saveCheckpointPath.isBlank()) {
      v.add(new Violation("save_checkpoint_path", "required: a folder or s3:// URI for checkpoints"));
    }
    if (runId != null && !runId.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}")) {
      v.add(new Violation("run-id", "use letters, digits, '.', '_' and '-' (up to 128), got '" + runId + "'"));
    }
    if (dropPath < 0 || dropPath >= 1) {
      v.add(new Violation("drop-path", "must be in [0, 1), got " + dropPath));
    }
    if (limitTrain < 0) {
      v.add(new Violation("limit-train", "must be >= 0 (0 = all), got " + limitTrain));
    }
    if (limitVal < 0) {
      v.add(new Violation("limit-val", "must be >= 0 (0 = all), got " + limitVal));
    }
    if (!(minCropScale > 0 && minCropScale <= 1)) {
      v.add(new Violation("min-crop-scale", "must be in (0, 1], got " + minCropScale));
    }
    if (threads < 0 || threads > 256) {
      v.add(new Violation("threads", "must be in [0, 256], got " + threads));
    }
    return v;
  }

  private static void bits(List<Violation> v, String name, int b) {
    if (!QuantRange.isFloat(b) && (b < 2 || b > 8)) {
      v.add(new Violation(name, "must be 2..8, or -1/32 for float, got " + b));
    }
  }

  /** Throws {@link InvalidTrainSpecException} listing every violation. */
  public TrainSpec validated() {
    List<Violation> v = violations();
    if (!v.isEmpty()) {
      throw new InvalidTrainSpecException(v);
    }
    return this;
  }

  /**
   * Whether {@code resume} names a checkpoint of this spec's own run ({@code runs/<runId>...}): the one
   * case that may write into a run already in the store.
   */
  public boolean resumesOwnRun() {
    return runId != null && CheckpointKeys.runId(resume).map(runId::equals).orElse(false);
  }

  /** Whether the run distils from soft labels. */
  public boolean usesSoftLabels() {
    return softlabelPath != null && !softlabelPath.isBlank();
  }

  /** A builder starting from these values. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** A builder starting from {@link #defaults()}. */
  public static Builder builder() {
    return new Builder(defaults());
  }

  /** Mutable copy of a spec, for callers that set a few fields. */
  public static final class Builder {
    private String model;
    private String data;
    private int epochs;
    private int batchSize;
    private double lr;
    private double minLr;
    private int warmupEpochs;
    private double warmupLr;
    private double weightDecay;
    private int wbits;
    private int abits;
    private boolean reg;
    private boolean headWise;
    private boolean useOffset;
    private int numCrops;
    private String softlabelPath;
    private String softLabelType;
    private String finetune;
    private String resume;
    private String saveCheckpointPath;
    private String runId;
    private String log;
    private long seed;
    private double dropPath;
    private int limitTrain;
    private int limitVal;
    private int threads;
    private double minCropScale;

    private Builder(TrainSpec s) {
      model = s.model();
      data = s.data();
      epochs = s.epochs();
      batchSize = s.batchSize();
      lr = s.lr();
      minLr = s.minLr();
      warmupEpochs = s.warmupEpochs();
      warmupLr = s.warmupLr();
      weightDecay = s.weightDecay();
      wbits = s.wbits();
      abits = s.abits();
      reg = s.reg();
      headWise = s.headWise();
      useOffset = s.useOffset();
      numCrops = s.numCrops();
      softlabelPath = s.softlabelPath();
      softLabelType = s.softLabelType();
      finetune = s.finetune();
      resume = s.resume();
      saveCheckpointPath = s.saveCheckpointPath();
      runId = s.runId();
      log = s.log();
      seed = s.seed();
      dropPath = s.dropPath();
      limitTrain = s.limitTrain();
      limitVal = s.limitVal();
      threads = s.threads();
      minCropScale = s.minCropScale();
    }

    /** Sets {@code model}. */
    public Builder model(String value) {
      model = value;
      return this;
    }

    /** Sets {@code data}. */
    public Builder data(String value) {
      data = value;
      return this;
    }

    /** Sets {@code epochs}. */
    public Builder epochs(int value) {
      epochs = value;
      return this;
    }

    /** Sets {@code batchSize}. */
    public Builder batchSize(int value) {
      batchSize = value;
      return this;
    }

    /** Sets {@code lr}. */
    public Builder lr(double value) {
      lr = value;
      return this;
    }

    /** Sets {@code minLr}. */
    public Builder minLr(double value) {
      minLr = value;
      return this;
    }

    /** Sets {@code warmupEpochs}. */
    public Builder warmupEpochs(int value) {
      warmupEpochs = value;
      return this;
    }

    /** Sets {@code warmupLr}. */
    public Builder warmupLr(double value) {
      warmupLr = value;
      return this;
    }

    /** Sets {@code weightDecay}. */
    public Builder weightDecay(double value) {
      weightDecay = value;
      return this;
    }

    /** Sets {@code wbits}. */
    public Builder wbits(int value) {
      wbits = value;
      return this;
    }

    /** Sets {@code abits}. */
    public Builder abits(int value) {
      abits = value;
      return this;
    }

    /** Sets {@code reg}. */
    public Builder reg(boolean value) {
      reg = value;
      return this;
    }

    /** Sets {@code headWise}. */
    public Builder headWise(boolean value) {
      headWise = value;
      return this;
    }

    /** Sets {@code useOffset}. */
    public Builder useOffset(boolean value) {
      useOffset = value;
      return this;
    }

    /** Sets {@code numCrops}. */
    public Builder numCrops(int value) {
      numCrops = value;
      return this;
    }

    /** Sets {@code softlabelPath}. */
    public Builder softlabelPath(String value) {
      softlabelPath = value;
      return this;
    }

    /** Sets {@code softLabelType}. */
    public Builder softLabelType(String value) {
      softLabelType = value;
      return this;
    }

    /** Sets {@code finetune}. */
    public Builder finetune(String value) {
      finetune = value;
      return this;
    }

    /** Sets {@code resume}. */
    public Builder resume(String value) {
      resume = value;
      return this;
    }

    /** Sets {@code saveCheckpointPath}. */
    public Builder saveCheckpointPath(String value) {
      saveCheckpointPath = value;
      return this;
    }

    /** Sets {@code runId}. */
    public Builder runId(String value) {
      runId = value;
      return this;
    }

    /** Sets {@code log}. */
    public Builder log(String value) {
      log = value;
      return this;
    }

    /** Sets {@code seed}. */
    public Builder seed(long value) {
      seed = value;
      return this;
    }

    /** Sets {@code dropPath}. */
    public Builder dropPath(double value) {
      dropPath = value;
      return this;
    }

    /** Sets {@code limitTrain}. */
    public Builder limitTrain(int value) {
      limitTrain = value;
      return this;
    }

    /** Sets {@code limitVal}. */
    public Builder limitVal(int value) {
      limitVal = value;
      return this;
    }

    /** Sets {@code threads}. */
    public Builder threads(int value) {
      threads = value;
      return this;
    }

    /** Sets {@code minCropScale}. */
    public Builder minCropScale(double value) {
      minCropScale = value;
      return this;
    }

    /** The spec (not validated; call {@link TrainSpec#validated()}). */
    public TrainSpec build() {
      return new TrainSpec(model, data, epochs, batchSize, lr, minLr, warmupEpochs, warmupLr, weightDecay,
          wbits, abits, reg, headWise, useOffset, numCrops, softlabelPath, softLabelType, finetune, resume,
          saveCheckpointPath, runId, log, seed, dropPath, limitTrain, limitVal, threads, minCropScale);
    }
  }
}
