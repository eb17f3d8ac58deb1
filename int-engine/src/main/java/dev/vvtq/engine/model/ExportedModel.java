package dev.vvtq.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vvtq.artifacts.manifest.ArtifactKinds;
import dev.vvtq.artifacts.manifest.FileEntry;
import dev.vvtq.artifacts.manifest.Manifest;
import dev.vvtq.artifacts.manifest.ManifestFormatException;
import dev.vvtq.artifacts.manifest.Sha256;
import dev.vvtq.artifacts.safetensors.DType;
import dev.vvtq.artifacts.safetensors.SafetensorsFormatException;
import dev.vvtq.artifacts.safetensors.SafetensorsReader;
import dev.vvtq.artifacts.safetensors.TensorInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An exported integer model ({@code models/<name>/<version>/}, docs/EXPORT-FORMAT.md) read from a
 * local folder and validated: the manifest exists and its sha256 matches {@code model.safetensors};
 * the config parses; the {@code quantizers} and {@code linears} metadata agree with it; every tensor
 * is present with its dtype and shape, and nothing else is. Weights come out unpacked to one byte per
 * value. Any problem raises a {@link ModelFormatException} that names the folder and the tensor.
 */
public final class ExportedModel {
  /** The format this reader implements. */
  public static final String FORMAT = "vvtq-int/1";
  public static final String MODEL_FILE = "model.safetensors";
  public static final String MANIFEST_FILE = Manifest.FILE_NAME;
  /** Smallest step the exporter writes (steps are clamped to it in training). */
  public static final float MIN_STEP = 1e-4f;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_LISTED_PROBLEMS = 20;

  private final Path dir;
  private final String sha256;
  private final ModelConfig config;
  private final ModelLayout layout;
  private final List<String> classNames;
  private final float[] mean;
  private final float[] std;
  private final float cropPct;
  private final Map<String, LinearWeights> linears = new LinkedHashMap<>();
  private final Map<String, QuantizerParams> quantizers = new LinkedHashMap<>();
  private final Map<String, float[]> floats = new LinkedHashMap<>();

  private ExportedModel(Path dir, String sha256, SafetensorsReader reader) {
    this.dir = dir;
    this.sha256 = sha256;
    Map<String, String> meta = reader.metadata();
    String format = meta.get("format");
    if (!FORMAT.equals(format)) {
      throw fail("metadata format is " + (format == null ? "missing" : "'" + format + "'")
          + ", this engine reads '" + FORMAT + "'; re-export the model with a matching exporter");
    }
    try {
      this.config = ModelConfig.fromJson(required(meta, "config"));
    } catch (ModelFormatException e) {
      throw fail(e.getMessage());
    }
    this.layout = new ModelLayout(config);
    this.classNames = parseClassNames(required(meta, "class_names"));
    this.mean = parseFloats(required(meta, "mean"), "mean");
    this.std = parseFloats(required(meta, "std"), "std");
    for (float s : std) {
      if (!(s > 0)) {
        throw fail("metadata 'std' holds " + s + ": every entry must be positive");
      }
    }
    this.cropPct = parseCropPct(required(meta, "crop_pct"));
    checkSpecs(required(meta, "quantizers"), required(meta, "linears"));
    checkTensors(reader);
    readTensors(reader);
  }

  /**
   * Loads and validates {@code dir}. Checks the manifest first and the file's sha256 before reading
   * any tensor.
   */
  public static ExportedModel load(Path dir) throws IOException {
    Path manifest = dir.resolve(MANIFEST_FILE);
    if (!Files.isRegularFile(manifest)) {
      throw new ModelFormatException(dir + ": no " + MANIFEST_FILE + "; the exporter writes it last, so the"
          + " folder is not an exported model or its export did not finish; re-export it");
    }
    Manifest m;
    try {
      m = Manifest.parse(Files.readAllBytes(manifest), manifest.toString());
    } catch (ManifestFormatException e) {
      throw new ModelFormatException(e.getMessage(), e);
    }
    if (!ArtifactKinds.MODEL.equals(m.kind())) {
      throw new ModelFormatException(manifest + ": kind is '" + m.kind() + "', not '" + ArtifactKinds.MODEL
          + "'; point at an exported model (models/<name>/<version>/), as `vvtq export` publishes it");
    }
    String modelFormat = m.field("model_format").map(JsonNode::asText).orElse(null);
    if (!FORMAT.equals(modelFormat)) {
      throw new ModelFormatException(manifest + ": model_format is " + (modelFormat == null ? "missing" : "'" + modelFormat + "'")
          + ", this engine reads '" + FORMAT + "'; re-export the model with a matching exporter");
    }
    FileEntry entry = m.file(MODEL_FILE).orElseThrow(() -> new ModelFormatException(
        manifest + ": lists no " + MODEL_FILE + "; re-export the model"));
    String expectedSha = entry.sha256();
    Path file = dir.resolve(MODEL_FILE);
    long size;
    try {
      size = Files.size(file);
    } catch (NoSuchFileException e) {
      throw new ModelFormatException(dir + ": the manifest names " + MODEL_FILE + " but it is missing; re-export or re-copy the folder");
    }
    if (entry.bytes() != size) {
      throw new ModelFormatException(file + ": " + size + " bytes, the manifest says " + entry.bytes()
          + "; the copy is incomplete or the file was replaced: re-copy or re-export the folder");
    }
    String actualSha = Sha256.hex(file);
    if (!actualSha.equals(expectedSha)) {
      throw new ModelFormatException(file + ": sha256 " + actualSha + " does not match the manifest's " + expectedSha
          + "; the file is corrupt or was modified after export: re-copy or re-export the folder");
    }
    try (SafetensorsReader reader = SafetensorsReader.open(file)) {
      return new ExportedModel(dir, actualSha, reader);
    } catch (SafetensorsFormatException e) {
      throw new ModelFormatException(dir + ": " + e.getMessage(), e);
    }
  }

  private ModelFormatException fail(String what) {
    return new ModelFormatException(dir + ": " + what);
  }

  private String required(Map<String, String> meta, String key) {
    String v = meta.get(key);
    if (v == null) {
      throw fail("metadata has no '" + key + "' (docs/EXPORT-FORMAT.md lists the required keys)");
    }
    return v;
  }

  private JsonNode parse(String json, String key) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw fail("metadata '" + key + "' is not valid JSON: " + e.getMessage());
    }
  }

  private List<String> parseClassNames(String json) {
    JsonNode n = parse(json, "class_names");
    if (!n.isArray() || n.size() != config.numClasses()) {
      throw fail("metadata 'class_names' must be a JSON array of num_classes = " + config.numClasses()
          + " strings, found " + (n.isArray() ? n.size() + " entries" : n.getNodeType()));
    }
    List<String> names = new ArrayList<>(n.size());
    for (JsonNode e : n) {
      if (!e.isTextual()) {
        throw fail("metadata 'class_names' holds " + e + ", not a string");
      }
      names.add(e.asText());
    }
    return List.copyOf(names);
  }

  private float[] parseFloats(String json, String key) {
    JsonNode n = parse(json, key);
    if (!n.isArray() || n.size() != config.inChans()) {
      throw fail("metadata '" + key + "' must be a JSON array of in_chans = " + config.inChans() + " numbers, found " + n);
    }
    float[] v = new float[n.size()];
    for (int i = 0; i < v.length; i++) {
      if (!n.get(i).isNumber()) {
        throw fail("metadata '" + key + "' holds " + n.get(i) + ", not a number");
      }
      v[i] = (float) n.get(i).asDouble();
    }
    return v;
  }

  private float parseCropPct(String s) {
    float v;
    try {
      v = Float.parseFloat(s.trim());
    } catch (NumberFormatException e) {
      throw fail("metadata 'crop_pct' is '" + s + "', not a number");
    }
    if (!(v > 0 && v <= 1)) {
      throw fail("metadata 'crop_pct' is " + v + ", not in (0, 1]");
    }
    return v;
  }

  private void checkSpecs(String quantizersJson, String linearsJson) {
    JsonNode q = parse(quantizersJson, "quantizers");
    for (Map.Entry<String, QuantizerSpec> e : layout.quantizers().entrySet()) {
      JsonNode n = q.get(e.getKey());
      QuantizerSpec s = e.getValue();
      if (n == null) {
        throw fail("metadata 'quantizers' has no entry '" + e.getKey() + "'");
      }
      expect(n, "quantizers", e.getKey(), "bits", s.bits());
      expect(n, "quantizers", e.getKey(), "signed", s.signed());
      expect(n, "quantizers", e.getKey(), "offset", s.offset());
      expect(n, "quantizers", e.getKey(), "groups", s.groups());
    }
    JsonNode l = parse(linearsJson, "linears");
    for (Map.Entry<String, LinearSpec> e : layout.linears().entrySet()) {
      JsonNode n = l.get(e.getKey());
      LinearSpec s = e.getValue();
      if (n == null) {
        throw fail("metadata 'linears' has no entry '" + e.getKey() + "'");
      }
      expect(n, "linears", e.getKey(), "bits", s.bits());
      expect(n, "linears", e.getKey(), "in", s.in());
      expect(n, "linears", e.getKey(), "out", s.out());
      expect(n, "linears", e.getKey(), "groups", s.groups());
      if (s.groups() > 1) {
        expect(n, "linears", e.getKey(), "group_axis", s.groupAxis());
      }
    }
  }

  private void expect(JsonNode entry, String map, String name, String key, Object expected) {
    JsonNode v = entry.get(key);
    boolean ok = v != null
        && (expected instanceof Integer i ? v.isIntegralNumber() && v.asInt() == i
            : expected instanceof Boolean b ? v.isBoolean() && v.asBoolean() == b
            : v.isTextual() && v.asText().equals(expected));
    if (!ok) {
      throw fail("metadata '" + map + "' entry '" + name + "' has " + key + " = " + v + " but config "
          + config.toJson() + " implies " + expected);
    }
  }

  /** Every expected tensor with dtype and shape, and no other: all problems in one message. */
  private void checkTensors(SafetensorsReader reader) {
    Map<String, TensorInfo> present = reader.tensors();
    Map<String, Object[]> expected = new LinkedHashMap<>(); // name -> {dtype, shape, why}
    for (Map.Entry<String, long[]> e : layout.floatParams().entrySet()) {
      expected.put(e.getKey(), new Object[] {DType.F32, e.getValue(), "float parameter"});
    }
    for (Map.Entry<String, LinearSpec> e : layout.linears().entrySet()) {
      LinearSpec s = e.getValue();
      String why = s.packed()
          ? s.bits() + "-bit weights packed two per byte for in=" + s.in()
          : s.bits() + "-bit weights one per byte";
      expected.put(e.getKey() + ".weight_int", new Object[] {s.packed() ? DType.U8 : DType.I8, layout.weightShape(e.getKey()), why});
      expected.put(e.getKey() + ".weight_step", new Object[] {DType.F32, new long[] {s.groups()}, s.groups() + " step group(s)"});
      expected.put(e.getKey() + ".bias", new Object[] {DType.F32, new long[] {s.out()}, "out=" + s.out()});
    }
    for (Map.Entry<String, QuantizerSpec> e : layout.quantizers().entrySet()) {
      QuantizerSpec s = e.getValue();
      expected.put(e.getKey() + ".step", new Object[] {DType.F32, new long[] {s.groups()}, s.groups() + " step group(s)"});
      if (s.offset()) {
        expected.put(e.getKey() + ".offset", new Object[] {DType.F32, new long[] {1}, "quantizer with offset"});
      }
    }
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, Object[]> e : expected.entrySet()) {
      TensorInfo t = present.get(e.getKey());
      DType dtype = (DType) e.getValue()[0];
      long[] shape = (long[]) e.getValue()[1];
      String want = dtype + Arrays.toString(shape) + " (" + e.getValue()[2] + ")";
      if (t == null) {
        problems.add("tensor '" + e.getKey() + "' is missing; expected " + want);
      } else if (t.dtype() != dtype || !Arrays.equals(t.shape(), shape)) {
        problems.add("tensor '" + e.getKey() + "' is " + t.dtype() + Arrays.toString(t.shape()) + ", expected " + want);
      }
    }
    Set<String> unexpected = new LinkedHashSet<>(present.keySet());
    unexpected.removeAll(expected.keySet());
    for (String name : unexpected) {
      problems.add("tensor '" + name + "' is not part of format " + FORMAT + " for this config"
          + (name.contains("qkv") ? " (q, k and v must be split into proj_q/proj_k/proj_v)" : ""));
    }
    if (!problems.isEmpty()) {
      int shown = Math.min(problems.size(), MAX_LISTED_PROBLEMS);
      throw fail(problems.size() + " tensor problem(s) for config " + config.toJson() + ":\n  "
          + String.join("\n  ", problems.subList(0, shown))
          + (shown < problems.size() ? "\n  ... and " + (problems.size() - shown) + " more" : "")
          + "\nThe exporter and this engine disagree on docs/EXPORT-FORMAT.md; re-export with a matching version.");
    }
  }

  private void readTensors(SafetensorsReader reader) {
    for (String name : layout.floatParams().keySet()) {
      floats.put(name, finite(reader, name));
    }
    for (Map.Entry<String, LinearSpec> e : layout.linears().entrySet()) {
      String n = e.getKey();
      LinearSpec s = e.getValue();
      byte[] w = s.packed() ? unpack(reader.bytes(n + ".weight_int"), s, n) : checkRange(reader.bytes(n + ".weight_int"), s, n);
      linears.put(n, new LinearWeights(s, w, steps(reader, n + ".weight_step"), finite(reader, n + ".bias")));
    }
    for (Map.Entry<String, QuantizerSpec> e : layout.quantizers().entrySet()) {
      String n = e.getKey();
      float offset = e.getValue().offset() ? finite(reader, n + ".offset")[0] : 0f;
      quantizers.put(n, new QuantizerParams(e.getValue(), steps(reader, n + ".step"), offset));
    }
  }

  private float[] finite(SafetensorsReader reader, String name) {
    float[] v = reader.floats(name);
    for (int i = 0; i < v.length; i++) {
      if (!Float.isFinite(v[i])) {
        throw fail("tensor '" + name + "' holds " + v[i] + " at index " + i + "; the exported model is broken");
      }
    }
    return v;
  }

  private float[] steps(SafetensorsReader reader, String name) {
    float[] v = finite(reader, name);
    for (int i = 0; i < v.length; i++) {
      if (!(v[i] >= MIN_STEP)) {
        throw fail("tensor '" + name + "' holds step " + v[i] + " at index " + i + ", below the clamp "
            + MIN_STEP + " every exported step satisfies");
      }
    }
    return v;
  }

  /** Two's-complement nibbles, low nibble first, to one signed value per byte. */
  private byte[] unpack(byte[] packed, LinearSpec s, String name) {
    int rowBytes = (s.in() + 1) / 2;
    byte[] w = new byte[s.out() * s.in()];
    for (int o = 0; o < s.out(); o++) {
      for (int j = 0; j < rowBytes; j++) {
        int b = packed[o * rowBytes + j];
        int lo = ((b & 0xF) ^ 8) - 8;
        int hi = (((b >> 4) & 0xF) ^ 8) - 8;
        w[o * s.in() + 2 * j] = (byte) lo;
        if (2 * j + 1 < s.in()) {
          w[o * s.in() + 2 * j + 1] = (byte) hi;
        } else if (hi != 0) {
          throw fail("tensor '" + name + ".weight_int' row " + o + ": the unused high nibble of the last byte is "
              + hi + ", the format requires 0 (odd in=" + s.in() + ")");
        }
      }
    }
    return checkRange(w, s, name);
  }

  private byte[] checkRange(byte[] w, LinearSpec s, String name) {
    int lo = -(1 << (s.bits() - 1));
    int hi = (1 << (s.bits() - 1)) - 1;
    for (int i = 0; i < w.length; i++) {
      if (w[i] < lo || w[i] > hi) {
        throw fail("tensor '" + name + ".weight_int' holds " + w[i] + " at row " + i / s.in() + " column " + i % s.in()
            + ", outside the " + s.bits() + "-bit range [" + lo + ", " + hi + "]");
      }
    }
    return w;
  }

  /** The folder the model was read from. */
  public Path dir() {
    return dir;
  }

  /** sha256 of {@code model.safetensors}, as verified against the manifest. */
  public String sha256() {
    return sha256;
  }

  public ModelConfig config() {
    return config;
  }

  public ModelLayout layout() {
    return layout;
  }

  /** Class names, index = logit position. */
  public List<String> classNames() {
    return classNames;
  }

  /** Per-channel mean of the input normalisation. */
  public float[] mean() {
    return mean.clone();
  }

  /** Per-channel standard deviation of the input normalisation. */
  public float[] std() {
    return std.clone();
  }

  /** Evaluation crop fraction: resize the shorter side to img_size / crop_pct, then centre-crop. */
  public float cropPct() {
    return cropPct;
  }

  /** A weight-quantized layer by its full name (e.g. {@code blocks.0.attn.proj_q}). */
  public LinearWeights linear(String name) {
    LinearWeights l = linears.get(name);
    if (l == null) {
      throw new IllegalArgumentException("no linear layer '" + name + "'");
    }
    return l;
  }

  /** An activation quantizer by its full name (e.g. {@code blocks.0.mlp.quant2}). */
  public QuantizerParams quantizer(String name) {
    QuantizerParams q = quantizers.get(name);
    if (q == null) {
      throw new IllegalArgumentException("no activation quantizer '" + name + "'");
    }
    return q;
  }

  /** A float parameter (e.g. {@code pos_embed}), flattened. */
  public float[] floats(String name) {
    float[] f = floats.get(name);
    if (f == null) {
      throw new IllegalArgumentException("no float parameter '" + name + "'");
    }
    return f;
  }
}
