package dev.vvtq.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vvtq.artifacts.safetensors.DType;
import dev.vvtq.engine.model.ExportedModel;
import dev.vvtq.engine.model.ModelFormatException;
import dev.vvtq.engine.testing.SyntheticModel;
import dev.vvtq.engine.testing.SyntheticModel.RawTensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Broken exports fail at load with a message naming the folder, the tensor and the remedy. */
class LoaderErrorsTest {
  @TempDir static Path root;
  static SyntheticModel model;

  @BeforeAll
  static void model() {
    model = SyntheticModel.random(SyntheticModel.tiny(4, 4, true, true), 5);
  }

  private static String loadError(Path dir) {
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> ExportedModel.load(dir));
    assertTrue(e.getMessage().startsWith(dir.toString()), "message names the folder: " + e.getMessage());
    return e.getMessage();
  }

  private static Path write(String name, Map<String, RawTensor> tensors, Map<String, String> meta) throws Exception {
    Path dir = root.resolve(name);
    SyntheticModel.write(dir, tensors, meta);
    return dir;
  }

  @Test
  void aValidExportLoads() throws Exception {
    ExportedModel m = ExportedModel.load(model.writeTo(root, "ok", "1"));
    assertEquals(model.config, m.config());
    assertEquals(10, m.classNames().size());
    assertEquals(0.875f, m.cropPct());
    assertEquals(3, m.mean().length);
  }

  @Test
  void missingTensor() throws Exception {
    Map<String, RawTensor> t = model.tensors();
    t.remove("blocks.1.attn.proj_k.weight_step");
    String msg = loadError(write("missing", t, model.metadata()));
    assertTrue(msg.contains("tensor 'blocks.1.attn.proj_k.weight_step' is missing; expected F32[2]"), msg);
  }

  @Test
  void wrongShapeAndDtypeAndExtraTensor() throws Exception {
    Map<String, RawTensor> t = model.tensors();
    t.put("blocks.0.mlp.fc1.weight_int", new RawTensor(DType.I8, new long[] {128, 32}, new byte[128 * 32]));
    t.put("blocks.0.attn.qkv.weight", new RawTensor(DType.F32, new long[] {1}, new byte[4]));
    String msg = loadError(write("shape", t, model.metadata()));
    assertTrue(msg.contains("2 tensor problem(s)"), msg);
    assertTrue(msg.contains("tensor 'blocks.0.mlp.fc1.weight_int' is I8[128, 32], expected U8[128, 16]"
        + " (4-bit weights packed two per byte for in=32)"), msg);
    assertTrue(msg.contains("'blocks.0.attn.qkv.weight' is not part of format vvtq-int/1"), msg);
    assertTrue(msg.contains("proj_q/proj_k/proj_v"), msg);
  }

  @Test
  void shaMismatch() throws Exception {
    Path dir = model.writeTo(root, "sha", "1");
    Path file = dir.resolve(ExportedModel.MODEL_FILE);
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length - 1] ^= 1;
    Files.write(file, bytes, StandardOpenOption.TRUNCATE_EXISTING);
    String msg = loadError(dir);
    assertTrue(msg.contains("does not match the manifest's") && msg.contains("re-copy or re-export"), msg);
  }

  @Test
  void truncatedFile() throws Exception {
    Path dir = model.writeTo(root, "short", "1");
    Path file = dir.resolve(ExportedModel.MODEL_FILE);
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 10), StandardOpenOption.TRUNCATE_EXISTING);
    assertTrue(loadError(dir).contains("bytes, the manifest says"));
  }

  @Test
  void noManifest() throws Exception {
    Path dir = model.writeTo(root, "nomanifest", "1");
    Files.delete(dir.resolve(ExportedModel.MANIFEST_FILE));
    assertTrue(loadError(dir).contains("no manifest.json"));
  }

  @Test
  void manifestOfAnotherKindOrFormat() throws Exception {
    Path dir = model.writeTo(root, "kind", "1");
    Path manifest = dir.resolve(ExportedModel.MANIFEST_FILE);
    String json = Files.readString(manifest);
    Files.writeString(manifest, json.replace("\"kind\" : \"model\"", "\"kind\" : \"softlabels\""));
    assertTrue(loadError(dir).contains("kind is 'softlabels'"), Files.readString(manifest));
    Files.writeString(manifest, json.replace("vvtq-int/1", "vvtq-int/9"));
    assertTrue(loadError(dir).contains("model_format is 'vvtq-int/9'"));
    Files.writeString(manifest, "{not json");
    loadError(dir);
  }

  @Test
  void metadataDisagreesWithConfig() throws Exception {
    Map<String, String> meta = model.metadata();
    meta.put("quantizers", meta.get("quantizers").replace("\"blocks.1.mlp.quant2\":{\"bits\":4,\"signed\":false",
        "\"blocks.1.mlp.quant2\":{\"bits\":4,\"signed\":true"));
    String msg = loadError(write("meta", model.tensors(), meta));
    assertTrue(msg.contains("'quantizers' entry 'blocks.1.mlp.quant2' has signed = true"), msg);
  }

  @Test
  void badConfigAndFormat() throws Exception {
    Map<String, String> meta = model.metadata();
    meta.put("config", meta.get("config").replace("\"wbits\":4", "\"wbits\":-1"));
    assertTrue(loadError(write("float", model.tensors(), meta)).contains("a float model"));
    meta = model.metadata();
    meta.put("config", meta.get("config").replace("\"norm_eps\":", "\"eps\":"));
    assertTrue(loadError(write("eps", model.tensors(), meta)).contains("config metadata has no 'norm_eps'"));
    meta = model.metadata();
    meta.put("config", meta.get("config").replace("\"depth\":2", "\"depth\":2.5"));
    assertTrue(loadError(write("depth", model.tensors(), meta)).contains("config metadata 'depth' is 2.5, not an integer"));
    meta = model.metadata();
    meta.put("format", "vvtq-int/0");
    assertTrue(loadError(write("format", model.tensors(), meta)).contains("this engine reads 'vvtq-int/1'"));
    meta = model.metadata();
    meta.remove("class_names");
    assertTrue(loadError(write("names", model.tensors(), meta)).contains("no 'class_names'"));
  }

  @Test
  void stepsAndWeightsOutOfRange() throws Exception {
    Map<String, RawTensor> t = model.tensors();
    t.put("blocks.0.mlp.quant1.step", new RawTensor(DType.F32, new long[] {1}, new byte[4])); // 0.0
    assertTrue(loadError(write("step", t, model.metadata())).contains("'blocks.0.mlp.quant1.step' holds step 0.0"));
    SyntheticModel twoBit = SyntheticModel.random(SyntheticModel.tiny(2, 2, false, false), 6);
    t = twoBit.tensors();
    byte[] w = t.get("blocks.0.mlp.fc2.weight_int").data().clone();
    w[0] = 0x03; // column 0 = 3, outside [-2, 1]
    t.put("blocks.0.mlp.fc2.weight_int", new RawTensor(DType.U8, t.get("blocks.0.mlp.fc2.weight_int").shape(), w));
    String msg = loadError(write("range", t, twoBit.metadata()));
    assertTrue(msg.contains("'blocks.0.mlp.fc2.weight_int' holds 3 at row 0 column 0, outside the 2-bit range"), msg);
  }
}
