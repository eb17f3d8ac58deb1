package dev.vvtq.qat.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.vvtq.qat.nn.Param;
import dev.vvtq.qat.nn.ParamKind;
import dev.vvtq.qat.quant.WeightQuantizer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW as torch.optim.AdamW computes it (decoupled weight decay, bias-corrected moments), with
 * timm's decay rule: only {@link ParamKind#WEIGHT} parameters decay. Step sizes are clamped to
 * {@link WeightQuantizer#MIN_STEP} after every update, which is what the reference's clamp before
 * each use amounts to.
 */
public final class AdamW implements AutoCloseable {
  private final Map<String, Param> params;
  private final double beta1;
  private final double beta2;
  private final double eps;
  private final double weightDecay;
  private final NDManager manager;
  private final Map<String, NDArray> expAvg = new LinkedHashMap<>();
  private final Map<String, NDArray> expAvgSq = new LinkedHashMap<>();
  private long steps;

  public AdamW(Map<String, Param> params, NDManager parent, double beta1, double beta2, double eps, double weightDecay) {
    this.params = new LinkedHashMap<>(params);
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.eps = eps;
    this.weightDecay = weightDecay;
    this.manager = parent.newSubManager();
    for (Map.Entry<String, Param> e : this.params.entrySet()) {
      expAvg.put(e.getKey(), manager.zeros(e.getValue().shape()));
      expAvgSq.put(e.getKey(), manager.zeros(e.getValue().shape()));
    }
  }

  /** The reference's defaults: betas (0.9, 0.999), eps 1e-8. */
  public static AdamW withDefaults(Map<String, Param> params, NDManager parent, double weightDecay) {
    return new AdamW(params, parent, 0.9, 0.999, 1e-8, weightDecay);
  }

  /** Number of updates applied so far. */
  public long steps() {
    return steps;
  }

  /** Applies one update with learning rate {@code lr} from the accumulated gradients. */
  public void step(double lr) {
    steps++;
    double bc1 = 1 - Math.pow(beta1, steps);
    double bc2 = 1 - Math.pow(beta2, steps);
    boolean gradMode = JniUtils.isGradMode();
    JniUtils.setGradMode(false);
    try (NDManager scratch = manager.newSubManager()) {
      for (Map.Entry<String, Param> e : params.entrySet()) {
        Param p = e.getValue();
        NDArray w = p.array();
        if (!w.hasGradient()) {
          continue;
        }
        NDArray m = expAvg.get(e.getKey());
        NDArray v = expAvgSq.get(e.getKey());
        scratch.tempAttachAll(w, m, v);
        NDArray g = w.getGradient();
        if (p.kind().decays() && weightDecay > 0) {
          w.muli(1 - lr * weightDecay);
        }
        m.muli(beta1).addi(g.mul(1 - beta1));
        v.muli(beta2).addi(g.square().muli(1 - beta2));
        NDArray denom = v.sqrt().divi(Math.sqrt(bc2)).addi(eps);
        w.subi(m.div(denom).muli(lr / bc1));
        if (p.kind() == ParamKind.STEP) {
          clampStep(w);
        }
      }
    } finally {
      JniUtils.setGradMode(gradMode);
    }
  }

  private static void clampStep(NDArray w) {
    float[] values = w.toFloatArray();
    boolean changed = false;
    for (int i = 0; i < values.length; i++) {
      if (values[i] < WeightQuantizer.MIN_STEP) {
        values[i] = WeightQuantizer.MIN_STEP;
        changed = true;
      }
    }
    if (changed) {
      w.set(values);
    }
  }

  /** Zeroes every parameter's gradient. */
  public void zeroGradients() {
    for (Param p : params.values()) {
      NDArray w = p.array();
      if (w.hasGradient()) {
        JniUtils.zeroGrad((PtNDArray) w);
      }
    }
  }

  /** Moment tensors by name ({@code exp_avg.<param>}, {@code exp_avg_sq.<param>}) for checkpoints. */
  public Map<String, float[]> state() {
    Map<String, float[]> out = new LinkedHashMap<>();
    expAvg.forEach((k, a) -> out.put("exp_avg." + k, a.toFloatArray()));
    expAvgSq.forEach((k, a) -> out.put("exp_avg_sq." + k, a.toFloatArray()));
    return out;
  }

  /** The moment tensors themselves, in a fixed order (every rank's the same), for broadcasting in place. */
  public java.util.List<NDArray> momentArrays() {
    java.util.List<NDArray> out = new java.util.ArrayList<>(expAvg.values());
    out.addAll(expAvgSq.values());
    return out;
  }

  /** Sets the number of updates applied (bias correction depends on it), as another rank's optimizer has it. */
  public void restoreSteps(long steps) {
    if (steps < 0) {
      throw new IllegalArgumentException("steps must be >= 0, got " + steps);
    }
    this.steps = steps;
  }

  /** Restores moments and the step count saved by {@link #state()}; every tensor must be present. */
  public void load(Map<String, float[]> state, long steps) {
    for (String k : params.keySet()) {
      restore(expAvg, k, state.get("exp_avg." + k), "exp_avg." + k);
      restore(expAvgSq, k, state.get("exp_avg_sq." + k), "exp_avg_sq." + k);
    }
    this.steps = steps;
  }

  private void restore(Map<String, NDArray> into, String key, float[] values, String name) {
    if (values == null) {
      throw new IllegalArgumentException("optimizer state has no tensor '" + name + "'");
    }
    NDArray a = into.get(key);
    if (a.getShape().size() != values.length) {
      throw new IllegalArgumentException(
          "optimizer tensor '" + name + "' has " + values.length + " values, expected " + a.getShape().size());
    }
    a.set(values);
  }

  @Override
  public void close() {
    manager.close();
  }
}
