package dev.vvtq.qat.checkpoint;

import ai.djl.ndarray.NDManager;
import dev.vvtq.artifacts.safetensors.SafetensorsReader;
import dev.vvtq.artifacts.safetensors.SafetensorsWriter;
import dev.vvtq.artifacts.safetensors.TensorInfo;
import dev.vvtq.qat.model.DeitConfig;
import dev.vvtq.qat.model.DeitConfigJson;
import dev.vvtq.qat.model.QuantDeit;
import dev.vvtq.qat.nn.Param;
import dev.vvtq.qat.nn.ParamKind;
import dev.vvtq.qat.quant.ActivationQuantizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A model's parameters in one safetensors file under their timm names, with the config and the
 * activation quantizers' init state in {@code __metadata__}.
 */
public final class ModelWeights {
  /** The {@code format} metadata value. */
  public static final String FORMAT = "vvtq-checkpoint/1";

  private ModelWeights() {}

  /** What loading into a model matched and did not. */
  public record LoadReport(List<String> missing, List<String> unexpected, List<String> shapeMismatches, List<String> loaded) {
    /** Whether nothing is missing, unexpected or mismatched. */
    public boolean clean() {
      return missing.isEmpty() && unexpected.isEmpty() && shapeMismatches.isEmpty();
    }

    @Override
    public String toString() {
      return "loaded " + loaded.size() + " tensors; missing " + missing + "; unexpected " + unexpected
          + "; shape mismatches " + shapeMismatches;
    }
  }

  /** Serialises every parameter (F32) and the metadata. */
  public static SafetensorsWriter writer(QuantDeit model) {
    SafetensorsWriter w = new SafetensorsWriter();
    w.putMetadata("format", FORMAT);
    w.putMetadata("config", DeitConfigJson.toString(model.config()));
    List<String> initialised = new ArrayList<>();
    model.activationQuantizers().forEach((n, q) -> {
      if (q.isInitialized()) {
        initialised.add(n);
      }
    });
    w.putMetadata("activation_steps_initialized", jsonArray(initialised));
    model.namedParameters().forEach((n, p) -> w.addF32(n, p.shape().getShape(), p.values()));
    return w;
  }

  /** Writes the model to a file (atomically). */
  public static void save(QuantDeit model, Path file) throws IOException {
    writer(model).writeTo(file);
  }

  /** Reads the config stored in a checkpoint file. */
  public static DeitConfig config(SafetensorsReader r) {
    String format = r.metadata().get("format");
    if (!FORMAT.equals(format)) {
      throw new IllegalArgumentException(
          r.source() + ": not a vvtq checkpoint (format '" + format + "', expected '" + FORMAT
              + "'); for a timm file use `vvtq import-timm`");
    }
    String cfg = r.metadata().get("config");
    if (cfg == null) {
      throw new IllegalArgumentException(r.source() + ": checkpoint has no config metadata");
    }
    return DeitConfigJson.parse(cfg);
  }

  /** Loads a checkpoint file as a new model (strict: every tensor must match). */
  public static QuantDeit load(Path file, NDManager manager) throws IOException {
    try (SafetensorsReader r = SafetensorsReader.open(file)) {
      QuantDeit model = QuantDeit.create(config(r), manager, 0);
      try {
        LoadReport report = loadInto(model, r, false);
        if (!report.clean()) {
          throw new IllegalArgumentException(file + ": checkpoint does not match its own config: " + report);
        }
        return model;
      } catch (RuntimeException e) {
        model.close();
        throw e;
      }
    }
  }

  /**
   * Copies matching tensors into a model.
   *
   * @param floatOnly load only float parameters (weights, biases, norms, embeddings), leaving step
   *     sizes and offsets to initialisation: the {@code --finetune} path from a float checkpoint
   */
  public static LoadReport loadInto(QuantDeit model, SafetensorsReader r, boolean floatOnly) {
    Map<String, Param> params = model.namedParameters();
    Set<String> fileNames = new LinkedHashSet<>(r.tensors().keySet());
    List<String> missing = new ArrayList<>();
    List<String> mismatched = new ArrayList<>();
    List<String> loaded = new ArrayList<>();
    for (Map.Entry<String, Param> e : params.entrySet()) {
      String name = e.getKey();
      Param p = e.getValue();
      boolean isQuantizerState = p.kind() == ParamKind.STEP || p.kind() == ParamKind.OFFSET;
      if (floatOnly && isQuantizerState) {
        fileNames.remove(name);
        continue;
      }
      if (!fileNames.remove(name)) {
        missing.add(name);
        continue;
      }
      TensorInfo t = r.info(name);
      if (!Arrays.equals(t.shape(), p.shape().getShape())) {
        mismatched.add(name + " file " + Arrays.toString(t.shape()) + " model " + p.shape());
        continue;
      }
      p.assign(r.floats(name));
      loaded.add(name);
    }
    if (floatOnly) {
      fileNames.removeIf(n -> n.endsWith(".alpha") || n.endsWith(".beta"));
    }
    if (!floatOnly) {
      Set<String> initialised = parseArray(r.metadata().get("activation_steps_initialized"));
      for (Map.Entry<String, ActivationQuantizer> q : model.activationQuantizers().entrySet()) {
        q.getValue().markInitialized(initialised.contains(q.getKey()));
      }
    }
    return new LoadReport(missing, new ArrayList<>(fileNames), mismatched, loaded);
  }

  static String jsonArray(List<String> items) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < items.size(); i++) {
      if (i > 0) {
        sb.append(',');
      }
      sb.append('"').append(items.get(i)).append('"');
    }
    return sb.append(']').toString();
  }

  static Set<String> parseArray(String json) {
    Set<String> out = new LinkedHashSet<>();
    if (json == null) {
      return out;
    }
    try {
      for (com.fasterxml.jackson.databind.JsonNode n : new com.fasterxml.jackson.databind.ObjectMapper().readTree(json)) {
        out.add(n.asText());
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("bad activation_steps_initialized metadata: " + json, e);
    }
    return out;
  }
}
