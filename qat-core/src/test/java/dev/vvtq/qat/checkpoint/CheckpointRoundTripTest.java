package dev.vvtq.qat.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.vvtq.artifacts.safetensors.SafetensorsReader;
import dev.vvtq.artifacts.safetensors.SafetensorsWriter;
import dev.vvtq.qat.model.DeitConfig;
import dev.vvtq.qat.model.QuantDeit;
import dev.vvtq.qat.model.QuantizerInit;
import dev.vvtq.qat.model.TestConfigs;
import dev.vvtq.qat.nn.Param;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointRoundTripTest {
  @TempDir Path dir;

  @Test
  void quantizedCheckpointRestoresEveryParameterAndInitState() throws Exception {
    try (NDManager m = NDManager.newBaseManager(); QuantDeit model = QuantDeit.create(TestConfigs.tiny(4, 4), m, 3)) {
      QuantizerInit.initWeightSteps(model);
      QuantizerInit.initActivationSteps(model, m.randomNormal(new Shape(2, 3, 16, 16)));
      Path file = dir.resolve("model.safetensors");
      ModelWeights.save(model, file);
      try (QuantDeit back = ModelWeights.load(file, m)) {
        assertEquals(model.config(), back.config());
        Map<String, Param> a = model.namedParameters();
        Map<String, Param> b = back.namedParameters();
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) {
          assertArrayEquals(a.get(k).values(), b.get(k).values(), 0f, k);
        }
        assertTrue(back.activationQuantizers().values().stream().allMatch(q -> q.isInitialized()));
      }
    }
  }

  @Test
  void floatCheckpointFinetunesIntoQuantizedModel() throws Exception {
    try (NDManager m = NDManager.newBaseManager();
        QuantDeit fp = QuantDeit.create(TestConfigs.tiny(-1, -1), m, 3);
        QuantDeit q = QuantDeit.create(TestConfigs.tiny(4, 4), m, 9)) {
      Path file = dir.resolve("fp.safetensors");
      ModelWeights.save(fp, file);
      try (SafetensorsReader r = SafetensorsReader.open(file)) {
        ModelWeights.LoadReport report = ModelWeights.loadInto(q, r, true);
        assertTrue(report.clean(), report.toString());
      }
      assertArrayEquals(
          fp.namedParameters().get("blocks.1.mlp.fc1.weight").values(),
          q.namedParameters().get("blocks.1.mlp.fc1.weight").values(), 0f);
    }
  }

  static byte[] timmStyleFile(DeitConfig c, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    SafetensorsWriter w = new SafetensorsWriter().putMetadata("format", "pt");
    int d = c.embedDim();
    int n = c.numPatches() + 1;
    int p = c.patchSize();
    add(w, r, "cls_token", 1, 1, d);
    add(w, r, "pos_embed", 1, n, d);
    add(w, r, "patch_embed.proj.weight", d, 3, p, p);
    add(w, r, "patch_embed.proj.bias", d);
    for (int i = 0; i < c.depth(); i++) {
      String b = "blocks." + i + ".";
      add(w, r, b + "norm1.weight", d);
      add(w, r, b + "norm1.bias", d);
      add(w, r, b + "attn.qkv.weight", 3 * d, d);
      add(w, r, b + "attn.qkv.bias", 3 * d);
      add(w, r, b + "attn.proj.weight", d, d);
      add(w, r, b + "attn.proj.bias", d);
      add(w, r, b + "norm2.weight", d);
      add(w, r, b + "norm2.bias", d);
      add(w, r, b + "mlp.fc1.weight", c.mlpHidden(), d);
      add(w, r, b + "mlp.fc1.bias", c.mlpHidden());
      add(w, r, b + "mlp.fc2.weight", d, c.mlpHidden());
      add(w, r, b + "mlp.fc2.bias", d);
    }
    add(w, r, "norm.weight", d);
    add(w, r, "norm.bias", d);
    add(w, r, "head.weight", c.numClasses(), d);
    add(w, r, "head.bias", c.numClasses());
    return w.toByteArray();
  }

  private static void add(SafetensorsWriter w, SplittableRandom r, String name, long... shape) {
    float[] v = new float[(int) Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) r.nextGaussian();
    }
    w.addF32(name, shape, v);
  }

  @Test
  void timmImportThenExportIsByteIdentical() throws Exception {
    DeitConfig c = TestConfigs.tiny(4, 4);
    byte[] original = timmStyleFile(c, 42);
    Path in = dir.resolve("timm.safetensors");
    Files.write(in, original);
    try (NDManager m = NDManager.newBaseManager(); QuantDeit model = QuantDeit.create(c, m, 0)) {
      ModelWeights.LoadReport report = TimmCheckpoint.importInto(model, in);
      assertTrue(report.clean());
      try (SafetensorsReader r = SafetensorsReader.open(in)) {
        float[] qkv = r.floats("blocks.1.attn.qkv.weight");
        int third = qkv.length / 3;
        assertArrayEquals(Arrays.copyOfRange(qkv, third, 2 * third),
            model.namedParameters().get("blocks.1.attn.proj_k.weight").values(), 0f);
      }
      Path out = dir.resolve("export.safetensors");
      TimmCheckpoint.export(model, out);
      assertArrayEquals(original, Files.readAllBytes(out));
    }
  }

  @Test
  void timmImportReportsMissingUnexpectedAndMisshapedTensors() throws Exception {
    DeitConfig c = TestConfigs.tiny(-1, -1);
    Path in = dir.resolve("wrong.safetensors");
    try (SafetensorsReader good = SafetensorsReader.fromBytes(timmStyleFile(c, 1), "fixture")) {
      SafetensorsWriter w = new SafetensorsWriter().putMetadata("format", "pt");
      for (String name : good.tensors().keySet()) {
        if (name.equals("norm.bias")) {
          continue;
        }
        if (name.equals("head.weight")) {
          w.addF32(name, new long[] {1000, c.embedDim()}, new float[1000 * c.embedDim()]);
          continue;
        }
        w.copyFrom(good, name, name);
      }
      w.addF32("dist_token", new long[] {1, 1, c.embedDim()}, new float[c.embedDim()]);
      w.writeTo(in);
    }
    try (NDManager m = NDManager.newBaseManager(); QuantDeit model = QuantDeit.create(c, m, 0)) {
      TimmCheckpoint.MismatchException e =
          assertThrows(TimmCheckpoint.MismatchException.class, () -> TimmCheckpoint.importInto(model, in));
      assertEquals(java.util.List.of("norm.bias"), e.report().missing());
      assertEquals(java.util.List.of("dist_token"), e.report().unexpected());
      assertEquals(1, e.report().shapeMismatches().size());
      assertTrue(e.getMessage().contains("head.weight"), e.getMessage());
    }
  }
}
