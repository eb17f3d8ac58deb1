package dev.vvtq.qat.train;

import java.util.ArrayList;
import java.util.List;

/**
 * The reference's epoch structure (VVTQ-METHOD section 5): warm-up epochs single-crop, then passes
 * of {@code numCrops} epochs each over multi-crop data, and the final epochs single-crop with a
 * validation after each. Hard-label training (no soft labels) is single-crop throughout.
 */
public final class EpochPlan {
  /** One loader pass: which epochs it covers and whether it uses multiple crops per image. */
  public record Segment(int firstEpoch, int epochs, boolean multiCrop) {
    /** The epoch after this segment. */
    public int endEpoch() {
      return firstEpoch + epochs;
    }
  }

  private EpochPlan() {}

  /** The segments of a run of {@code epochs} epochs. */
  public static List<Segment> of(int epochs, int warmupEpochs, int numCrops, boolean softLabels) {
    if (epochs < 1) {
      throw new IllegalArgumentException("--epochs must be >= 1, got " + epochs);
    }
    if (warmupEpochs < 0 || warmupEpochs >= epochs) {
      throw new IllegalArgumentException(
          "--warmup-epochs must be in [0, epochs), got " + warmupEpochs + " with " + epochs + " epochs");
    }
    if (numCrops < 1) {
      throw new IllegalArgumentException("--num_crops must be >= 1, got " + numCrops);
    }
    List<Segment> out = new ArrayList<>();
    if (!softLabels || numCrops == 1) {
      for (int e = 0; e < epochs; e++) {
        out.add(new Segment(e, 1, false));
      }
      return out;
    }
    for (int e = 0; e < warmupEpochs; e++) {
      out.add(new Segment(e, 1, false));
    }
    for (int e = warmupEpochs; e < epochs; e += numCrops) {
      if (e >= epochs - numCrops) {
        for (int f = e; f < epochs; f++) {
          out.add(new Segment(f, 1, false));
        }
        break;
      }
      out.add(new Segment(e, numCrops, true));
    }
    return out;
  }
}
