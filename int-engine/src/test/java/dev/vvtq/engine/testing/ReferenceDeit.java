package dev.vvtq.engine.testing;

import dev.vvtq.engine.model.LinearSpec;
import dev.vvtq.engine.model.ModelConfig;
import dev.vvtq.engine.model.ModelLayout;
import dev.vvtq.engine.model.QuantizerSpec;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The forward pass of docs/EXPORT-FORMAT.md written out plainly in double precision, fake-quant style:
 * every quantizer returns {@code round(clamp((x - beta) / alpha)) * alpha + beta}, every layer uses
 * the dequantised weights {@code W_int * alpha_w}. Independent of the engine: it shares no code with
 * it and reads the {@link SyntheticModel} the export was written from.
 *
 * <p>With {@link #calibrate}, a quantizer whose step is not set yet (NaN) takes its step from its first
 * input by the lazy-init rule of VVTQ-METHOD.md section 1 ({@code 2 mean|x - beta| / sqrt(2^(b-1) -
 * 1)}, per group), as training does on its first batch.
 */
public final class ReferenceDeit {
  private final SyntheticModel model;
  private final ModelConfig c;
  private boolean calibrating;
  private double tieTolerance = -1;
  private final Map<String, Integer> nearTies = new TreeMap<>();

  public ReferenceDeit(SyntheticModel model) {
    this.model = model;
    this.c = model.config;
  }

  /** Sets every unset quantizer step from this image's activations, in forward order. */
  public void calibrate(float[] image) {
    calibrating = true;
    try {
      logits(image);
    } finally {
      calibrating = false;
    }
  }

  /**
   * Counts, from now on, every quantizer input whose scaled value {@code (x - beta) / alpha} lies
   * within {@code tolerance x max(1, |value|)} of a rounding boundary (a half-integer inside the
   * range): where a float32 implementation may round the other way than this double-precision one.
   */
  public ReferenceDeit countingNearTies(double tolerance) {
    this.tieTolerance = tolerance;
    nearTies.clear();
    return this;
  }

  /** Near-ties per quantizer since {@link #countingNearTies} (empty when not counting). */
  public Map<String, Integer> nearTies() {
    return Collections.unmodifiableMap(nearTies);
  }

  private void noteTie(String quantizer, double v, QuantizerSpec s) {
    if (tieTolerance < 0 || v <= s.qmin() || v >= s.qmax()) {
      return;
    }
    if (Math.abs(v - Math.floor(v) - 0.5) < tieTolerance * Math.max(1, Math.abs(v))) {
      nearTies.merge(quantizer, 1, Integer::sum);
    }
  }

  /** Logits of one normalised image (C x H x W). */
  public double[] logits(float[] image) {
    int d = c.embedDim();
    int t = c.tokens();
    int n = c.numPatches();
    int p = c.patchSize();
    int img = c.imgSize();
    int grid = c.gridSize();
    // patch embedding as a convolution with kernel = stride = patch
    double[][] x = new double[c.inChans()][img * img];
    for (int ch = 0; ch < c.inChans(); ch++) {
      for (int i = 0; i < img * img; i++) {
        x[ch][i] = image[ch * img * img + i];
      }
    }
    double[][] xq = new double[c.inChans()][];
    for (int ch = 0; ch < c.inChans(); ch++) {
      xq[ch] = x[ch];
    }
    fakeQuantRows(xq, ModelLayout.PATCH_QUANT, 0);
    double[][] tok = new double[t][d];
    double[] cls = toDouble(model.floats.get("cls_token"));
    double[] pos = toDouble(model.floats.get("pos_embed"));
    for (int j = 0; j < d; j++) {
      tok[0][j] = cls[j] + pos[j];
    }
    byte[] pw = model.weights.get(ModelLayout.PATCH_EMBED);
    double alphaPatch = model.weightSteps.get(ModelLayout.PATCH_EMBED)[0];
    double[] pb = toDouble(model.biases.get(ModelLayout.PATCH_EMBED));
    for (int patch = 0; patch < n; patch++) {
      int gy = patch / grid;
      int gx = patch % grid;
      for (int o = 0; o < d; o++) {
        double s = 0;
        for (int ch = 0; ch < c.inChans(); ch++) {
          for (int kh = 0; kh < p; kh++) {
            for (int kw = 0; kw < p; kw++) {
              double w = pw[o * c.patchDim() + (ch * p + kh) * p + kw] * alphaPatch;
              s += w * xq[ch][(gy * p + kh) * img + gx * p + kw];
            }
          }
        }
        tok[1 + patch][o] = s + pb[o] + pos[(1 + patch) * d + o];
      }
    }
    for (int i = 0; i < c.depth(); i++) {
      block(tok, ModelLayout.block(i));
    }
    double[][] cl = {layerNorm(tok[0], "norm.weight", "norm.bias")};
    fakeQuantRows(cl, ModelLayout.HEAD_QUANT, 0);
    return linear(cl, ModelLayout.HEAD)[0];
  }

  private void block(double[][] tok, String b) {
    int t = tok.length;
    int d = c.embedDim();
    int heads = c.numHeads();
    int hd = c.headDim();
    double[][] h = new double[t][];
    for (int i = 0; i < t; i++) {
      h[i] = layerNorm(tok[i], b + "norm1.weight", b + "norm1.bias");
    }
    fakeQuantRows(h, b + ModelLayout.QUANT_INPUT, 0);
    double[][] q = linear(h, b + ModelLayout.PROJ_Q);
    double[][] k = linear(h, b + ModelLayout.PROJ_K);
    double[][] v = linear(h, b + ModelLayout.PROJ_V);
    fakeQuantRows(q, b + ModelLayout.QUANT_Q, hd);
    fakeQuantRows(k, b + ModelLayout.QUANT_K, hd);
    fakeQuantRows(v, b + ModelLayout.QUANT_V, hd);
    double[][] o = new double[t][d];
    double scale = 1 / Math.sqrt(hd);
    for (int head = 0; head < heads; head++) {
      double[][] probs = new double[t][t];
      for (int i = 0; i < t; i++) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < t; j++) {
          double s = 0;
          for (int e = 0; e < hd; e++) {
            s += q[i][head * hd + e] * k[j][head * hd + e];
          }
          probs[i][j] = s * scale;
          max = Math.max(max, probs[i][j]);
        }
        double sum = 0;
        for (int j = 0; j < t; j++) {
          probs[i][j] = Math.exp(probs[i][j] - max);
          sum += probs[i][j];
        }
        for (int j = 0; j < t; j++) {
          probs[i][j] /= sum;
        }
      }
      fakeQuantGroup(probs, b + ModelLayout.QUANT_ATTN, head);
      for (int i = 0; i < t; i++) {
        for (int e = 0; e < hd; e++) {
          double s = 0;
          for (int j = 0; j < t; j++) {
            s += probs[i][j] * v[j][head * hd + e];
          }
          o[i][head * hd + e] = s;
        }
      }
    }
    fakeQuantRows(o, b + ModelLayout.QUANT_OUTPUT, hd);
    double[][] proj = linear(o, b + ModelLayout.PROJ);
    for (int i = 0; i < t; i++) {
      for (int j = 0; j < d; j++) {
        tok[i][j] += proj[i][j];
      }
    }
    for (int i = 0; i < t; i++) {
      h[i] = layerNorm(tok[i], b + "norm2.weight", b + "norm2.bias");
    }
    fakeQuantRows(h, b + ModelLayout.QUANT1, 0);
    double[][] u = linear(h, b + ModelLayout.FC1);
    for (double[] row : u) {
      for (int j = 0; j < row.length; j++) {
        row[j] = DoubleErf.gelu(row[j]);
      }
    }
    fakeQuantRows(u, b + ModelLayout.QUANT2, 0);
    double[][] f = linear(u, b + ModelLayout.FC2);
    for (int i = 0; i < t; i++) {
      for (int j = 0; j < d; j++) {
        tok[i][j] += f[i][j];
      }
    }
  }

  private double[] layerNorm(double[] x, String w, String bias) {
    double mean = 0;
    for (double v : x) {
      mean += v;
    }
    mean /= x.length;
    double var = 0;
    for (double v : x) {
      var += (v - mean) * (v - mean);
    }
    var /= x.length;
    double[] g = toDouble(model.floats.get(w));
    double[] b = toDouble(model.floats.get(bias));
    double[] y = new double[x.length];
    for (int j = 0; j < x.length; j++) {
      y[j] = (x[j] - mean) / Math.sqrt(var + c.normEps()) * g[j] + b[j];
    }
    return y;
  }

  /** x @ (W_int * alpha_w)^T + b, steps by group along the layer's group axis. */
  private double[][] linear(double[][] x, String name) {
    LinearSpec s = model.layout.linears().get(name);
    byte[] w = model.weights.get(name);
    float[] steps = model.weightSteps.get(name);
    double[] bias = toDouble(model.biases.get(name));
    double[][] y = new double[x.length][s.out()];
    for (int o = 0; o < s.out(); o++) {
      double[] wo = new double[s.in()];
      for (int i = 0; i < s.in(); i++) {
        int g = steps.length == 1 ? 0
            : ("in".equals(s.groupAxis()) ? i / (s.in() / s.groups()) : o / (s.out() / s.groups()));
        wo[i] = w[o * s.in() + i] * (double) steps[g];
      }
      for (int r = 0; r < x.length; r++) {
        double acc = 0;
        for (int i = 0; i < s.in(); i++) {
          acc += x[r][i] * wo[i];
        }
        y[r][o] = acc + bias[o];
      }
    }
    return y;
  }

  /** Fake-quantizes in place; with groupWidth > 0, column j belongs to group j / groupWidth. */
  private void fakeQuantRows(double[][] x, String name, int groupWidth) {
    QuantizerSpec s = model.layout.quantizers().get(name);
    float[] steps = model.quantSteps.get(name);
    double beta = model.quantOffsets.getOrDefault(name, 0f);
    if (calibrating) {
      for (int g = 0; g < steps.length; g++) {
        if (Float.isNaN(steps[g])) {
          double sum = 0;
          long count = 0;
          for (double[] row : x) {
            for (int j = 0; j < row.length; j++) {
              if (steps.length == 1 || j / groupWidth == g) {
                sum += Math.abs(row[j] - beta);
                count++;
              }
            }
          }
          steps[g] = lazyInitStep(sum / count, s.bits());
        }
      }
    }
    for (double[] row : x) {
      for (int j = 0; j < row.length; j++) {
        double alpha = steps[steps.length == 1 ? 0 : j / groupWidth];
        noteTie(name, (row[j] - beta) / alpha, s);
        row[j] = fakeQuant(row[j], alpha, beta, s);
      }
    }
  }

  /** Fake-quantizes a whole matrix with the step of one group (softmax probabilities of one head). */
  private void fakeQuantGroup(double[][] x, String name, int group) {
    QuantizerSpec s = model.layout.quantizers().get(name);
    float[] steps = model.quantSteps.get(name);
    int g = steps.length == 1 ? 0 : group;
    if (calibrating && Float.isNaN(steps[g])) {
      double sum = 0;
      long count = 0;
      for (double[] row : x) {
        for (double v : row) {
          sum += Math.abs(v);
          count++;
        }
      }
      steps[g] = lazyInitStep(sum / count, s.bits());
    }
    for (double[] row : x) {
      for (int j = 0; j < row.length; j++) {
        noteTie(name, row[j] / steps[g], s);
        row[j] = fakeQuant(row[j], steps[g], 0, s);
      }
    }
  }

  /** VVTQ's lazy init: 2 mean|x| / sqrt(2^(b-1) - 1), the signed Qp even for unsigned quantizers. */
  static float lazyInitStep(double meanAbs, int bits) {
    return (float) Math.max(1e-4, 2 * meanAbs / Math.sqrt((1 << (bits - 1)) - 1));
  }

  static double fakeQuant(double x, double alpha, double beta, QuantizerSpec s) {
    double v = (x - beta) / alpha;
    v = Math.min(Math.max(v, s.qmin()), s.qmax());
    return Math.rint(v) * alpha + beta;
  }

  private static double[] toDouble(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }
}
