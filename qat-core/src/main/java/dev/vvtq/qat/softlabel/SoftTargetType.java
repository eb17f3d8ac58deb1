package dev.vvtq.qat.softlabel;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * How a soft target over all classes is recovered from a stored top-k (FKD's {@code
 * Recover_soft_label}); the names are the CLI's. Values are stored in descending order.
 */
public enum SoftTargetType {
  /** One-hot of the ground-truth label. */
  HARD("hard", 0),
  /** Top-1 value at its class, {@code (1 - v) / (C - 1)} on every other class. */
  SMOOTHING("smoothing", 1),
  /** The top 5 values at their classes, {@code (1 - sum) / (C - 5)} on every other class. */
  MARGINAL_SMOOTHING_K5("marginal_smoothing_k5", 5),
  /** The top 10 values at their classes, {@code (1 - sum) / (C - 10)} on every other class. */
  MARGINAL_SMOOTHING_K10("marginal_smoothing_k10", 10),
  /** All stored top-k values renormalised to sum 1, zero elsewhere. */
  MARGINAL_RENORM("marginal_renorm", 1);

  private final String cliName;
  private final int neededK;

  SoftTargetType(String cliName, int neededK) {
    this.cliName = cliName;
    this.neededK = neededK;
  }

  public String cliName() {
    return cliName;
  }

  /** The type of a CLI name, or an error listing the valid names. */
  public static SoftTargetType fromCliName(String name) {
    for (SoftTargetType t : values()) {
      if (t.cliName.equals(name)) {
        return t;
      }
    }
    throw new IllegalArgumentException("unknown soft target type '" + name + "'; valid: "
        + Arrays.stream(values()).map(SoftTargetType::cliName).collect(Collectors.joining(", ")));
  }

  /** Fails unless soft labels with {@code storedK} values per crop and {@code numClasses} classes suffice. */
  public void checkUsable(int storedK, int numClasses) {
    if (storedK < neededK) {
      throw new IllegalArgumentException("soft target type " + cliName + " needs at least " + neededK
          + " stored values per crop, but the soft labels keep top-" + storedK + "; regenerate them with k >= " + neededK
          + " or choose another type");
    }
    if (neededK >= numClasses && this != MARGINAL_RENORM) {
      throw new IllegalArgumentException("soft target type " + cliName + " needs more than " + neededK + " classes, the data has " + numClasses);
    }
  }

  /**
   * The soft target over {@code numClasses} classes.
   *
   * @param label ground-truth class (used by {@link #HARD})
   * @param topClasses stored class indices, best first
   * @param topValues stored probabilities, descending
   */
  public float[] recover(int label, int[] topClasses, float[] topValues, int numClasses) {
    checkUsable(topClasses.length, numClasses);
    float[] out = new float[numClasses];
    switch (this) {
      case HARD -> out[label] = 1f;
      case SMOOTHING -> {
        float v = topValues[0];
        Arrays.fill(out, (1f - v) / (numClasses - 1));
        out[topClasses[0]] = v;
      }
      case MARGINAL_SMOOTHING_K5, MARGINAL_SMOOTHING_K10 -> {
        float sum = 0f;
        for (int i = 0; i < neededK; i++) {
          sum += topValues[i];
        }
        Arrays.fill(out, (1f - sum) / (numClasses - neededK));
        for (int i = 0; i < neededK; i++) {
          out[topClasses[i]] = topValues[i];
        }
      }
      case MARGINAL_RENORM -> {
        float sum = 0f;
        for (float v : topValues) {
          sum += Math.abs(v);
        }
        // torch.nn.functional.normalize(p=1, eps=1e-12) divides by max(sum, eps).
        float denom = Math.max(sum, 1e-12f);
        for (int i = 0; i < topClasses.length; i++) {
          out[topClasses[i]] = topValues[i] / denom;
        }
      }
    }
    return out;
  }
}
