package dev.vvtq.qat.checkpoint;

import dev.vvtq.artifacts.safetensors.SafetensorsReader;
import dev.vvtq.artifacts.safetensors.SafetensorsWriter;
import dev.vvtq.artifacts.safetensors.TensorInfo;
import dev.vvtq.qat.model.QuantDeit;
import dev.vvtq.qat.nn.Param;
import dev.vvtq.qat.nn.ParamKind;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * timm DeiT safetensors in and out: {@code attn.qkv} (3C x C) is split row-wise into {@code
 * attn.proj_q/k/v} on import and merged back on export; every other name is shared.
 */
public final class TimmCheckpoint {
  private static final String[] QKV = {"proj_q", "proj_k", "proj_v"};

  private TimmCheckpoint() {}

  /** Thrown when a timm file does not match the model; the message carries the full report. */
  public static final class MismatchException extends IllegalArgumentException {
    private final ModelWeights.LoadReport report;

    MismatchException(String source, ModelWeights.LoadReport report) {
      super(source + " does not match the model: " + report
          + ". Pick the --model whose architecture and class count match the file.");
      this.report = report;
    }

    /** The mismatch report. */
    public ModelWeights.LoadReport report() {
      return report;
    }
  }

  /** timm name to the float values in timm layout (q/k/v merged), for every float parameter. */
  static Map<String, TimmTensor> timmTensors(QuantDeit model) {
    Map<String, Param> params = model.namedParameters();
    Map<String, TimmTensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, Param> e : params.entrySet()) {
      String name = e.getKey();
      Param p = e.getValue();
      if (p.kind() == ParamKind.STEP || p.kind() == ParamKind.OFFSET) {
        continue;
      }
      if (name.contains(".attn.proj_q.")) {
        String suffix = name.substring(name.lastIndexOf('.') + 1);
        String prefix = name.substring(0, name.indexOf(".proj_q."));
        float[][] parts = new float[3][];
        for (int i = 0; i < 3; i++) {
          parts[i] = params.get(prefix + "." + QKV[i] + "." + suffix).values();
        }
        long[] shape = p.shape().getShape().clone();
        shape[0] *= 3;
        out.put(prefix + ".qkv." + suffix, new TimmTensor(shape, concat(parts)));
      } else if (name.contains(".attn.proj_k.") || name.contains(".attn.proj_v.")) {
        continue;
      } else {
        out.put(name, new TimmTensor(p.shape().getShape(), p.values()));
      }
    }
    return out;
  }

  record TimmTensor(long[] shape, float[] values) {}

  /**
   * Loads a timm DeiT file into a model: float parameters only (step sizes are initialised later).
   * Strict: any missing, unexpected or mis-shaped tensor fails with the whole report.
   */
  public static ModelWeights.LoadReport importInto(QuantDeit model, Path timmFile) throws IOException {
    try (SafetensorsReader r = SafetensorsReader.open(timmFile)) {
      Map<String, TimmTensor> expected = timmTensors(model);
      Set<String> unexpected = new LinkedHashSet<>(r.tensors().keySet());
      List<String> missing = new ArrayList<>();
      List<String> mismatched = new ArrayList<>();
      for (Map.Entry<String, TimmTensor> e : expected.entrySet()) {
        String name = e.getKey();
        if (!unexpected.remove(name)) {
          missing.add(name);
          continue;
        }
        TensorInfo t = r.info(name);
        if (!Arrays.equals(t.shape(), e.getValue().shape())) {
          mismatched.add(name + " file " + Arrays.toString(t.shape()) + " model " + Arrays.toString(e.getValue().shape()));
        }
      }
      ModelWeights.LoadReport report =
          new ModelWeights.LoadReport(missing, new ArrayList<>(unexpected), mismatched, new ArrayList<>());
      if (!report.clean()) {
        throw new MismatchException(timmFile.toString(), report);
      }
      Map<String, Param> params = model.namedParameters();
      for (String name : expected.keySet()) {
        float[] values = r.floats(name);
        if (name.endsWith(".qkv.weight") || name.endsWith(".qkv.bias")) {
          String prefix = name.substring(0, name.indexOf(".qkv."));
          String suffix = name.substring(name.lastIndexOf('.') + 1);
          int third = values.length / 3;
          for (int i = 0; i < 3; i++) {
            params.get(prefix + "." + QKV[i] + "." + suffix).assign(Arrays.copyOfRange(values, i * third, (i + 1) * third));
            report.loaded().add(prefix + "." + QKV[i] + "." + suffix);
          }
        } else {
          params.get(name).assign(values);
          report.loaded().add(name);
        }
      }
      return report;
    }
  }

  /** Writes the model's float weights under timm's names (F32, metadata {@code format: pt}). */
  public static void export(QuantDeit model, Path file) throws IOException {
    SafetensorsWriter w = new SafetensorsWriter().putMetadata("format", "pt");
    timmTensors(model).forEach((name, t) -> w.addF32(name, t.shape(), t.values()));
    w.writeTo(file);
  }

  private static float[] concat(float[][] parts) {
    int n = 0;
    for (float[] p : parts) {
      n += p.length;
    }
    float[] out = new float[n];
    int at = 0;
    for (float[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }
}
