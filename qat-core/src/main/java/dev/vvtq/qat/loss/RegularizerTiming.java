package dev.vvtq.qat.loss;

/**
 * At which epoch the regulariser's weight {@link RegularizerSchedule#lambda} is read during a loader
 * pass of several epochs (a multi-crop pass covers {@code num_crops} epochs, VVTQ-METHOD section 3).
 */
public enum RegularizerTiming {
  /**
   * The reference's: {@code train_VVTQ.py} evaluates lambda once per call of {@code train()}, at the
   * pass's first epoch, and keeps it for the whole pass. The default, so that runs here follow the
   * paper's recipe; with {@code num_crops} 1 it is the same as {@link #PER_EPOCH}.
   */
  PER_PASS("per-pass"),
  /** Lambda at the epoch each step falls in, advancing inside a multi-crop pass. */
  PER_EPOCH("per-epoch");

  /** The timing training uses. */
  public static final RegularizerTiming DEFAULT = PER_PASS;

  /** The key under which a run records its timing (run.json's spec, checkpoint manifests). */
  public static final String RECORD_KEY = "reg_lambda_timing";

  private final String id;

  RegularizerTiming(String id) {
    this.id = id;
  }

  /** The name recorded with a run. */
  public String id() {
    return id;
  }

  /** The epoch lambda is read at for a step in epoch {@code epochOfStep} of a pass starting at {@code firstEpochOfPass}. */
  public int epoch(int firstEpochOfPass, int epochOfStep) {
    return this == PER_PASS ? firstEpochOfPass : epochOfStep;
  }
}
