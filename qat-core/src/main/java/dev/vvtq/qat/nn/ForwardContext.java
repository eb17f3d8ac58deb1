package dev.vvtq.qat.nn;

import ai.djl.ndarray.NDManager;
import dev.vvtq.qat.quant.QuantizedWeight;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Per-forward state: the manager that owns every intermediate array, train/eval mode, the seeded
 * generator of drop-path masks, and what the forward should record (the quantized weights the bin
 * regulariser needs, activation ranges for telemetry).
 */
public final class ForwardContext {
  private final NDManager manager;
  private final boolean training;
  private final SplittableRandom random;
  private final boolean recordWeights;
  private final List<QuantizedWeight> quantizedWeights = new ArrayList<>();
  private Map<String, float[]> activationRanges;
  private int batchShards = 1;

  private ForwardContext(
      NDManager manager, boolean training, SplittableRandom random, boolean recordWeights) {
    this.manager = manager;
    this.training = training;
    this.random = random;
    this.recordWeights = recordWeights;
  }

  /** Evaluation mode: no drop-path, nothing recorded. */
  public static ForwardContext eval(NDManager manager) {
    return new ForwardContext(manager, false, null, false);
  }

  /**
   * Training mode.
   *
   * @param dropPathSeed seed of this step's drop-path masks (derive it from run seed and step)
   * @param recordWeights keep every layer's quantized weight for the bin regulariser
   */
  public static ForwardContext training(NDManager manager, long dropPathSeed, boolean recordWeights) {
    return new ForwardContext(manager, true, new SplittableRandom(dropPathSeed), recordWeights);
  }

  /** The manager every array of this forward is attached to. */
  public NDManager manager() {
    return manager;
  }

  /** Training (drop-path on) or evaluation. */
  public boolean training() {
    return training;
  }

  /** The drop-path generator (training only). */
  public SplittableRandom random() {
    if (random == null) {
      throw new IllegalStateException("no random generator in evaluation mode");
    }
    return random;
  }

  /** Whether weight-quantized layers should record their quantized weights. */
  public boolean recordsWeights() {
    return recordWeights;
  }

  /** Called by weight-quantized layers when {@link #recordsWeights()}. */
  public void record(QuantizedWeight w) {
    quantizedWeights.add(w);
  }

  /**
   * Marks this forward's batch as one of {@code shards} equal shards of the global batch (data-parallel
   * training), so that what the method defines over the batch (the LSQ gradient scale of activation
   * steps, {@code 1/sqrt(numel)}) is computed over the global batch, as one process would.
   */
  public ForwardContext batchShardOf(int shards) {
    if (shards < 1) {
      throw new IllegalArgumentException("shards must be >= 1, got " + shards);
    }
    this.batchShards = shards;
    return this;
  }

  /** How many equal shards the global batch is split into (1 in one process). */
  public int batchShards() {
    return batchShards;
  }

  /** Asks activation quantizers to record the [min, max] of their inputs (telemetry steps). */
  public ForwardContext recordingActivationRanges() {
    activationRanges = new LinkedHashMap<>();
    return this;
  }

  /** Whether activation ranges are recorded. */
  public boolean recordsActivationRanges() {
    return activationRanges != null;
  }

  /** Called by activation quantizers when {@link #recordsActivationRanges()}. */
  public void recordRange(String quantizer, float min, float max) {
    activationRanges.put(quantizer, new float[] {min, max});
  }

  /** Recorded [min, max] per activation quantizer (empty unless recording). */
  public Map<String, float[]> activationRanges() {
    return activationRanges == null ? Map.of() : Collections.unmodifiableMap(activationRanges);
  }

  /** The quantized weights recorded by this forward, in layer order. */
  public List<QuantizedWeight> quantizedWeights() {
    return Collections.unmodifiableList(quantizedWeights);
  }
}
