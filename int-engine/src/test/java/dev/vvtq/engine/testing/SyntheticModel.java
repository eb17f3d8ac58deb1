package dev.vvtq.engine.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vvtq.artifacts.manifest.ArtifactKinds;
import dev.vvtq.artifacts.manifest.Manifest;
import dev.vvtq.artifacts.manifest.Sha256;
import dev.vvtq.artifacts.safetensors.DType;
import dev.vvtq.artifacts.safetensors.SafetensorsWriter;
import dev.vvtq.engine.model.ExportedModel;
import dev.vvtq.engine.model.LinearSpec;
import dev.vvtq.engine.model.ModelConfig;
import dev.vvtq.engine.model.ModelLayout;
import dev.vvtq.engine.model.QuantizerSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A random-weight exported model of any config, held in memory (weights as one value per byte) and
 * written in the exporter's format: {@code model.safetensors} then {@code manifest.json}. Weights are
 * rounded Gaussians at realistic widths; activation steps are calibrated on random images by VVTQ's
 * lazy-init rule (via {@link ReferenceDeit}), so activations spread over the integer range instead of
 * clamping. Tests may edit the tensors or metadata before writing ({@link #tensors()}, {@link
 * #write(Path, Map, Map)}).
 */
public final class SyntheticModel {
  /** One tensor as it will be written. */
  public record RawTensor(DType dtype, long[] shape, byte[] data) {}

  private static final ObjectMapper JSON = new ObjectMapper();

  public final ModelConfig config;
  public final ModelLayout layout;
  /** W_int per linear layer, {@code [out][in]}, one signed value per byte. */
  public final Map<String, byte[]> weights = new LinkedHashMap<>();
  public final Map<String, float[]> weightSteps = new LinkedHashMap<>();
  public final Map<String, float[]> biases = new LinkedHashMap<>();
  public final Map<String, float[]> quantSteps = new LinkedHashMap<>();
  public final Map<String, Float> quantOffsets = new LinkedHashMap<>();
  public final Map<String, float[]> floats = new LinkedHashMap<>();
  public final List<String> classNames = new ArrayList<>();

  private SyntheticModel(ModelConfig config) {
    this.config = config;
    this.layout = new ModelLayout(config);
  }

  /** The tiny configuration the tests use: 16x16 images, 4x4 patches (17 tokens), D=32, 2 heads. */
  public static ModelConfig tiny(int wbits, int abits, boolean headWise, boolean useOffset) {
    return new ModelConfig("tiny_test", 16, 4, 3, 10, 32, 2, 2, 4.0, wbits, abits, headWise, useOffset, 1e-6);
  }

  /** timm's deit_tiny_patch16_224 dimensions: D=192, depth 12, 3 heads, MLP 768, 224x224, 1000 classes. */
  public static ModelConfig deitTiny(int wbits, int abits) {
    return new ModelConfig("deit_tiny_patch16_224", 224, 16, 3, 1000, 192, 12, 3, 4.0, wbits, abits, false, false, 1e-6);
  }

  /** Random weights, then steps calibrated on two random images. */
  public static SyntheticModel random(ModelConfig config, long seed) {
    SyntheticModel m = new SyntheticModel(config);
    Random rnd = new Random(seed);
    for (Map.Entry<String, long[]> e : m.layout.floatParams().entrySet()) {
      String name = e.getKey();
      int n = (int) dev.vvtq.artifacts.safetensors.TensorInfo.numel(e.getValue());
      float[] v = new float[n];
      for (int i = 0; i < n; i++) {
        double g = rnd.nextGaussian();
        v[i] = (float) (name.endsWith(".weight") ? 1 + 0.1 * g : name.endsWith(".bias") ? 0.05 * g : 0.02 * g);
      }
      m.floats.put(name, v);
    }
    for (Map.Entry<String, LinearSpec> e : m.layout.linears().entrySet()) {
      LinearSpec s = e.getValue();
      int qp = (1 << (s.bits() - 1)) - 1;
      double sigma = Math.max(0.6, qp / 2.0);
      byte[] w = new byte[s.out() * s.in()];
      double sumSq = 0;
      for (int i = 0; i < w.length; i++) {
        long v = Math.round(rnd.nextGaussian() * sigma);
        w[i] = (byte) Math.max(-(qp + 1), Math.min(qp, v));
        sumSq += (double) w[i] * w[i];
      }
      double rms = Math.sqrt(sumSq / w.length);
      // W = W_int * alpha has standard deviation about 1/sqrt(in); groups get slightly different steps
      float[] steps = new float[s.groups()];
      for (int g = 0; g < steps.length; g++) {
        steps[g] = (float) ((0.8 + 0.4 * rnd.nextDouble()) / (Math.sqrt(s.in()) * rms));
      }
      float[] bias = new float[s.out()];
      for (int i = 0; i < bias.length; i++) {
        bias[i] = (float) (0.02 * rnd.nextGaussian());
      }
      m.weights.put(e.getKey(), w);
      m.weightSteps.put(e.getKey(), steps);
      m.biases.put(e.getKey(), bias);
    }
    for (Map.Entry<String, QuantizerSpec> e : m.layout.quantizers().entrySet()) {
      float[] steps = new float[e.getValue().groups()];
      java.util.Arrays.fill(steps, Float.NaN);
      m.quantSteps.put(e.getKey(), steps);
      if (e.getValue().offset()) {
        // after GELU (unsigned): near the function's minimum, -0.17; elsewhere a small learned shift
        boolean afterGelu = e.getKey().endsWith(ModelLayout.QUANT2);
        m.quantOffsets.put(e.getKey(), (float) (afterGelu ? -0.15 + 0.02 * rnd.nextGaussian() : 0.05 * rnd.nextGaussian()));
      }
    }
    for (int i = 0; i < config.numClasses(); i++) {
      m.classNames.add("class_" + i);
    }
    ReferenceDeit calibration = new ReferenceDeit(m);
    calibration.calibrate(randomImage(config, rnd));
    for (Map.Entry<String, float[]> e : m.quantSteps.entrySet()) {
      for (float f : e.getValue()) {
        if (!(f > 0)) {
          throw new IllegalStateException("quantizer " + e.getKey() + " was not calibrated");
        }
      }
    }
    return m;
  }

  /**
   * The tensors of an exported model (as loaded and validated by the engine's reader), so that {@link
   * ReferenceDeit} can run a model written by another exporter, e.g. qat-core's.
   */
  public static SyntheticModel of(ExportedModel exported) {
    SyntheticModel m = new SyntheticModel(exported.config());
    for (String n : m.layout.linears().keySet()) {
      m.weights.put(n, exported.linear(n).weights().clone());
      m.weightSteps.put(n, exported.linear(n).steps().clone());
      m.biases.put(n, exported.linear(n).bias().clone());
    }
    for (Map.Entry<String, QuantizerSpec> e : m.layout.quantizers().entrySet()) {
      m.quantSteps.put(e.getKey(), exported.quantizer(e.getKey()).steps().clone());
      if (e.getValue().offset()) {
        m.quantOffsets.put(e.getKey(), exported.quantizer(e.getKey()).offset());
      }
    }
    for (String n : m.layout.floatParams().keySet()) {
      m.floats.put(n, exported.floats(n).clone());
    }
    m.classNames.addAll(exported.classNames());
    return m;
  }

  /** An image of independent standard normal values (already "normalised"). */
  public static float[] randomImage(ModelConfig config, Random rnd) {
    float[] x = new float[config.imageFloats()];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) rnd.nextGaussian();
    }
    return x;
  }

  /** {@code count} random images one after another. */
  public static float[] randomImages(ModelConfig config, int count, long seed) {
    Random rnd = new Random(seed);
    float[] x = new float[count * config.imageFloats()];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) rnd.nextGaussian();
    }
    return x;
  }

  /** The {@code __metadata__} an exporter writes for this model. */
  public Map<String, String> metadata() {
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("format", ExportedModel.FORMAT);
    meta.put("config", config.toJson());
    ArrayNode names = JSON.createArrayNode();
    classNames.forEach(names::add);
    meta.put("class_names", names.toString());
    ArrayNode mean = JSON.createArrayNode();
    ArrayNode std = JSON.createArrayNode();
    double[] m = {0.485, 0.456, 0.406};
    double[] s = {0.229, 0.224, 0.225};
    for (int ch = 0; ch < config.inChans(); ch++) {
      mean.add(m[ch % 3]);
      std.add(s[ch % 3]);
    }
    meta.put("mean", mean.toString());
    meta.put("std", std.toString());
    meta.put("crop_pct", "0.875");
    ObjectNode q = JSON.createObjectNode();
    for (Map.Entry<String, QuantizerSpec> e : layout.quantizers().entrySet()) {
      QuantizerSpec v = e.getValue();
      q.putObject(e.getKey()).put("bits", v.bits()).put("signed", v.signed()).put("offset", v.offset()).put("groups", v.groups());
    }
    meta.put("quantizers", q.toString());
    ObjectNode l = JSON.createObjectNode();
    for (Map.Entry<String, LinearSpec> e : layout.linears().entrySet()) {
      LinearSpec v = e.getValue();
      l.putObject(e.getKey()).put("bits", v.bits()).put("in", v.in()).put("out", v.out()).put("groups", v.groups())
          .put("group_axis", v.groupAxis());
    }
    meta.put("linears", l.toString());
    return meta;
  }

  /** Every tensor of the export, by name. */
  public Map<String, RawTensor> tensors() {
    Map<String, RawTensor> t = new LinkedHashMap<>();
    for (Map.Entry<String, float[]> e : floats.entrySet()) {
      t.put(e.getKey(), f32(layout.floatParams().get(e.getKey()), e.getValue()));
    }
    for (Map.Entry<String, LinearSpec> e : layout.linears().entrySet()) {
      String n = e.getKey();
      LinearSpec s = e.getValue();
      byte[] w = weights.get(n);
      long[] shape = layout.weightShape(n);
      t.put(n + ".weight_int", s.packed() ? new RawTensor(DType.U8, shape, packNibbles(w, s.out(), s.in()))
          : new RawTensor(DType.I8, shape, w.clone()));
      t.put(n + ".weight_step", f32(new long[] {s.groups()}, weightSteps.get(n)));
      t.put(n + ".bias", f32(new long[] {s.out()}, biases.get(n)));
    }
    for (Map.Entry<String, QuantizerSpec> e : layout.quantizers().entrySet()) {
      String n = e.getKey();
      t.put(n + ".step", f32(new long[] {e.getValue().groups()}, quantSteps.get(n)));
      if (e.getValue().offset()) {
        t.put(n + ".offset", f32(new long[] {1}, new float[] {quantOffsets.get(n)}));
      }
    }
    return t;
  }

  /** Byte j of row o: column 2j in the low nibble, 2j+1 in the high one, two's complement. */
  public static byte[] packNibbles(byte[] w, int rows, int cols) {
    int rowBytes = (cols + 1) / 2;
    byte[] out = new byte[rows * rowBytes];
    for (int o = 0; o < rows; o++) {
      for (int i = 0; i < cols; i++) {
        int nib = w[o * cols + i] & 0xF;
        out[o * rowBytes + i / 2] |= (byte) (i % 2 == 0 ? nib : nib << 4);
      }
    }
    return out;
  }

  private static RawTensor f32(long[] shape, float[] v) {
    ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(v);
    return new RawTensor(DType.F32, shape, b.array());
  }

  /** Writes {@code <root>/models/<name>/<version>/} and returns that folder. */
  public Path writeTo(Path root, String name, String version) throws IOException {
    Path dir = root.resolve("models").resolve(name).resolve(version);
    write(dir, tensors(), metadata());
    return dir;
  }

  /** Writes given tensors and metadata as an export: the safetensors file, then the manifest. */
  public static void write(Path dir, Map<String, RawTensor> tensors, Map<String, String> metadata) throws IOException {
    Files.createDirectories(dir);
    SafetensorsWriter w = new SafetensorsWriter().putMetadata(metadata);
    for (Map.Entry<String, RawTensor> e : tensors.entrySet()) {
      w.add(e.getKey(), e.getValue().dtype(), e.getValue().shape(), e.getValue().data());
    }
    Path file = dir.resolve(ExportedModel.MODEL_FILE);
    w.writeTo(file);
    // The fields IntegerModelExporter.publish writes, in the store's manifest format.
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("model_format", ExportedModel.FORMAT);
    fields.put("source_checkpoint", "synthetic");
    Map<String, Integer> layers = new LinkedHashMap<>();
    String linears = metadata.get("linears");
    if (linears != null) {
      JSON.readTree(linears).fields().forEachRemaining(f -> layers.put(f.getKey(), f.getValue().path("bits").asInt()));
    }
    fields.put("layers", layers);
    Manifest manifest = Manifest.create(ArtifactKinds.MODEL, Map.of(ExportedModel.MODEL_FILE, Sha256.entryOf(file)), fields);
    Files.write(dir.resolve(ExportedModel.MANIFEST_FILE), manifest.toJson());
  }
}
