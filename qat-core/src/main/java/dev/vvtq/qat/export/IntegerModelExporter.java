package dev.vvtq.qat.export;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vvtq.artifacts.files.ScratchFolder;
import dev.vvtq.artifacts.manifest.ArtifactKinds;
import dev.vvtq.artifacts.manifest.Manifest;
import dev.vvtq.artifacts.safetensors.SafetensorsWriter;
import dev.vvtq.artifacts.store.ArtifactStore;
import dev.vvtq.qat.model.DeitConfig;
import dev.vvtq.qat.model.DeitConfigJson;
import dev.vvtq.qat.model.IntegerModelView;
import dev.vvtq.qat.nn.LayerNormLayer;
import dev.vvtq.qat.quant.GroupAxis;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Packs a quantized model into the integer format of docs/EXPORT-FORMAT.md ({@code
 * models/<name>/<version>/model.safetensors} + manifest): weights of up to 4 bits two per byte,
 * 8-bit layers as int8, every step size and offset, and the parameters that stay float.
 */
public final class IntegerModelExporter {
  /** The {@code format} metadata value. */
  public static final String FORMAT = "vvtq-int/1";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};
  private static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};

  private IntegerModelExporter() {}

  /** The safetensors file of an exported model. */
  public static SafetensorsWriter writer(IntegerModelView view, List<String> classNames) {
    DeitConfig c = view.config();
    if (classNames.size() != c.numClasses()) {
      throw new IllegalArgumentException(
          classNames.size() + " class names given for a model with " + c.numClasses() + " classes");
    }
    SafetensorsWriter w = new SafetensorsWriter();
    w.putMetadata("format", FORMAT);
    w.putMetadata("config", config(c).toString());
    ArrayNode names = JSON.createArrayNode();
    classNames.forEach(names::add);
    w.putMetadata("class_names", names.toString());
    w.putMetadata("mean", floats(IMAGENET_MEAN));
    w.putMetadata("std", floats(IMAGENET_STD));
    w.putMetadata("crop_pct", Double.toString(c.cropPct()));
    w.putMetadata("quantizers", quantizers(view).toString());
    w.putMetadata("linears", linears(view).toString());
    for (IntegerModelView.Linear l : view.linears().values()) {
      long out = l.shape()[0];
      long in = l.weightInt().length / out;
      if (l.bits() <= 4) {
        w.addU8(l.name() + ".weight_int", new long[] {out, (in + 1) / 2}, packNibbles(l.weightInt(), (int) out, (int) in));
      } else {
        byte[] b = new byte[l.weightInt().length];
        for (int i = 0; i < b.length; i++) {
          b[i] = (byte) l.weightInt()[i];
        }
        w.addI8(l.name() + ".weight_int", l.shape(), b);
      }
      w.addF32(l.name() + ".weight_step", new long[] {l.weightSteps().length}, l.weightSteps());
      w.addF32(l.name() + ".bias", new long[] {out}, l.bias());
    }
    for (IntegerModelView.Activation a : view.activations().values()) {
      w.addF32(a.name() + ".step", new long[] {a.steps().length}, a.steps());
      if (a.offset() != null) {
        w.addF32(a.name() + ".offset", new long[] {1}, new float[] {a.offset()});
      }
    }
    for (IntegerModelView.FloatTensor f : view.floats().values()) {
      w.addF32(f.name(), f.shape(), f.values());
    }
    return w;
  }

  /** Row-major [out, in] integers in [-8, 7] to [out, ceil(in/2)] bytes: column 2j low nibble, 2j+1 high. */
  public static byte[] packNibbles(int[] values, int out, int in) {
    int perRow = (in + 1) / 2;
    byte[] packed = new byte[out * perRow];
    for (int o = 0; o < out; o++) {
      for (int i = 0; i < in; i++) {
        int v = values[o * in + i];
        if (v < -8 || v > 7) {
          throw new IllegalArgumentException("value " + v + " at [" + o + ", " + i + "] does not fit 4 bits");
        }
        int idx = o * perRow + i / 2;
        int nibble = v & 0xF;
        packed[idx] = (byte) (i % 2 == 0 ? (packed[idx] & 0xF0) | nibble : (packed[idx] & 0x0F) | (nibble << 4));
      }
    }
    return packed;
  }

  static ObjectNode config(DeitConfig c) {
    ObjectNode o = DeitConfigJson.toJson(c);
    // Training-only setting; the engine needs the LayerNorm epsilon instead.
    o.remove("drop_path");
    o.put("norm_eps", (double) LayerNormLayer.EPS);
    return o;
  }

  private static ObjectNode quantizers(IntegerModelView view) {
    ObjectNode o = JSON.createObjectNode();
    for (IntegerModelView.Activation a : view.activations().values()) {
      ObjectNode q = o.putObject(a.name());
      q.put("bits", a.bits());
      q.put("signed", a.signed());
      q.put("offset", a.offset() != null);
      q.put("groups", a.steps().length);
    }
    return o;
  }

  private static ObjectNode linears(IntegerModelView view) {
    ObjectNode o = JSON.createObjectNode();
    for (IntegerModelView.Linear l : view.linears().values()) {
      ObjectNode q = o.putObject(l.name());
      long out = l.shape()[0];
      q.put("bits", l.bits());
      q.put("in", l.weightInt().length / out);
      q.put("out", out);
      q.put("groups", l.weightSteps().length);
      q.put("group_axis", l.axis() == GroupAxis.IN ? "in" : "out");
    }
    return o;
  }

  private static String floats(float[] v) {
    ArrayNode a = JSON.createArrayNode();
    for (float f : v) {
      a.add(f);
    }
    return a.toString();
  }

  /**
   * Writes the model and publishes it under {@code prefix} (normally {@link
   * dev.vvtq.artifacts.store.ArtifactLayout#model}), manifest last, with bits per layer and the
   * sha256 of the file.
   */
  public static Manifest publish(IntegerModelView view, List<String> classNames, ArtifactStore store, String prefix,
      String sourceCheckpoint) throws IOException {
    try (ScratchFolder tmp = ScratchFolder.create("vvtq-export-")) {
      Path file = tmp.path().resolve("model.safetensors");
      writer(view, classNames).writeTo(file);
      Map<String, Object> fields = new LinkedHashMap<>();
      fields.put("model_format", FORMAT);
      fields.put("source_checkpoint", sourceCheckpoint);
      fields.put("config", config(view.config()));
      Map<String, Integer> bits = new LinkedHashMap<>();
      view.linears().values().forEach(l -> bits.put(l.name(), l.bits()));
      view.activations().values().forEach(a -> bits.put(a.name(), a.bits()));
      fields.put("layers", bits);
      return store.publish(prefix, ArtifactKinds.MODEL, Map.of("model.safetensors", file), fields);
    }
  }
}
