package dev.vvtq.inference.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vvtq.artifacts.manifest.ArtifactKinds;
import dev.vvtq.artifacts.safetensors.SafetensorsWriter;
import dev.vvtq.artifacts.store.ArtifactStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Writes small exported integer models with random weights, complete per docs/EXPORT-FORMAT.md
 * (every tensor and metadata entry), and publishes them to a store like {@code vvtq export} does.
 */
public final class ExportedModelFixture {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Geometry and quantization of a fixture model. */
  public record Spec(String name, int imgSize, int patchSize, int numClasses, int embedDim, int depth, int numHeads,
      int mlpRatio, int wbits, int abits, boolean headWise, boolean useOffset, long seed) {

    /** A tiny 32x32 model (patch 8, dim 16, one block, two heads, 10 classes): fast in tests. */
    public static Spec tiny(long seed) {
      return new Spec("vvtq_test_tiny", 32, 8, 10, 16, 1, 2, 2, 4, 4, true, true, seed);
    }

    /** Fashion-MNIST sized: 32x32, patch 4, dim 96, depth 4, 3 heads, 10 classes. */
    public static Spec fashionMnist(long seed) {
      return new Spec("deit_fmnist_patch4_32", 32, 4, 10, 96, 4, 3, 4, 4, 4, true, true, seed);
    }

    /** DeiT-Tiny at 224, W4A4, 1000 classes. */
    public static Spec deitTiny(long seed) {
      return new Spec("deit_tiny_patch16_224", 224, 16, 1000, 192, 12, 3, 4, 4, 4, true, true, seed);
    }
  }

  private ExportedModelFixture() {}

  /** Class names {@code class_0 .. class_{K-1}}. */
  public static List<String> classNames(int k) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      names.add("class_" + i);
    }
    return names;
  }

  /** Writes the model to a temporary file and publishes it under {@code key} (manifest last). */
  public static void publish(ArtifactStore store, String key, Spec spec) throws IOException {
    publishAs(store, key, spec, ArtifactKinds.MODEL);
  }

  /** As {@link #publish} with another manifest kind. */
  public static void publishAs(ArtifactStore store, String key, Spec spec, String kind) throws IOException {
    Path dir = Files.createTempDirectory("vvtq-fixture");
    Path file = dir.resolve("model.safetensors");
    write(spec, file);
    // The fields `vvtq export` (IntegerModelExporter) writes beside the store's own.
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("model_format", "vvtq-int/1");
    fields.put("source_checkpoint", "fixture:" + spec.name() + ":" + spec.seed());
    fields.put("layers", Map.of("wbits", spec.wbits(), "abits", spec.abits()));
    store.publish(key, kind, Map.of("model.safetensors", file), fields);
    Files.delete(file);
    Files.delete(dir);
  }

  /** Writes the safetensors file of a model. */
  public static void write(Spec s, Path file) throws IOException {
    Random rnd = new Random(s.seed());
    int d = s.embedDim();
    int heads = s.numHeads();
    int g = s.headWise() ? heads : 1;
    int m = d * s.mlpRatio();
    int grid = s.imgSize() / s.patchSize();
    int tokens = grid * grid + 1;
    int patchDim = 3 * s.patchSize() * s.patchSize();
    SafetensorsWriter w = new SafetensorsWriter();
    ObjectNode quantizers = JSON.createObjectNode();
    ObjectNode linears = JSON.createObjectNode();

    quantizer(w, quantizers, rnd, "patch_embed.quant", 8, true, false, 1, 0.03f);
    linear8(w, linears, rnd, "patch_embed.proj", patchDim, d, new long[] {d, 3, s.patchSize(), s.patchSize()});
    w.addF32("cls_token", new long[] {1, 1, d}, gaussian(rnd, d, 0.5f));
    w.addF32("pos_embed", new long[] {1, tokens, d}, gaussian(rnd, tokens * d, 0.5f));
    for (int i = 0; i < s.depth(); i++) {
      String b = "blocks." + i + ".";
      norm(w, b + "norm1", d, rnd);
      quantizer(w, quantizers, rnd, b + "attn.quant_input", s.abits(), true, s.useOffset(), 1, 0.4f);
      for (String p : List.of("proj_q", "proj_k", "proj_v")) {
        linearLow(w, linears, rnd, b + "attn." + p, s.wbits(), d, d, g, "out");
      }
      quantizer(w, quantizers, rnd, b + "attn.quant_q", s.abits(), true, false, g, 0.3f);
      quantizer(w, quantizers, rnd, b + "attn.quant_k", s.abits(), true, false, g, 0.3f);
      quantizer(w, quantizers, rnd, b + "attn.quant_v", s.abits(), true, false, g, 0.3f);
      quantizer(w, quantizers, rnd, b + "attn.quant_attn", s.abits(), false, false, g, 0.05f);
      quantizer(w, quantizers, rnd, b + "attn.quant_output", s.abits(), true, false, g, 0.2f);
      linearLow(w, linears, rnd, b + "attn.proj", s.wbits(), d, d, g, "in");
      norm(w, b + "norm2", d, rnd);
      quantizer(w, quantizers, rnd, b + "mlp.quant1", s.abits(), true, s.useOffset(), 1, 0.4f);
      linearLow(w, linears, rnd, b + "mlp.fc1", s.wbits(), d, m, 1, "out");
      quantizer(w, quantizers, rnd, b + "mlp.quant2", s.abits(), false, true, 1, 0.2f);
      linearLow(w, linears, rnd, b + "mlp.fc2", s.wbits(), m, d, 1, "out");
    }
    norm(w, "norm", d, rnd);
    quantizer(w, quantizers, rnd, "quant", 8, true, false, 1, 0.05f);
    linear8(w, linears, rnd, "head", d, s.numClasses(), new long[] {s.numClasses(), d});

    ObjectNode config = JSON.createObjectNode()
        .put("name", s.name())
        .put("img_size", s.imgSize())
        .put("patch_size", s.patchSize())
        .put("in_chans", 3)
        .put("num_classes", s.numClasses())
        .put("embed_dim", d)
        .put("depth", s.depth())
        .put("num_heads", heads)
        .put("mlp_ratio", (double) s.mlpRatio())
        .put("wbits", s.wbits())
        .put("abits", s.abits())
        .put("head_wise", s.headWise())
        .put("use_offset", s.useOffset())
        .put("norm_eps", 1e-6);
    w.putMetadata("format", "vvtq-int/1");
    w.putMetadata("config", JSON.writeValueAsString(config));
    w.putMetadata("class_names", JSON.writeValueAsString(classNames(s.numClasses())));
    w.putMetadata("mean", "[0.485,0.456,0.406]");
    w.putMetadata("std", "[0.229,0.224,0.225]");
    w.putMetadata("crop_pct", "0.875");
    w.putMetadata("quantizers", JSON.writeValueAsString(quantizers));
    w.putMetadata("linears", JSON.writeValueAsString(linears));
    w.writeTo(file);
  }

  private static void quantizer(SafetensorsWriter w, ObjectNode meta, Random rnd, String name, int bits, boolean signed,
      boolean offset, int groups, float step) {
    meta.set(name, JSON.createObjectNode().put("bits", bits).put("signed", signed).put("offset", offset).put("groups", groups));
    float[] steps = new float[groups];
    for (int i = 0; i < groups; i++) {
      steps[i] = step * (0.75f + 0.5f * rnd.nextFloat());
    }
    w.addF32(name + ".step", new long[] {groups}, steps);
    if (offset) {
      w.addF32(name + ".offset", new long[] {1}, new float[] {(rnd.nextFloat() - 0.5f) * step});
    }
  }

  /** An 8-bit layer: I8 weights of the given shape. */
  private static void linear8(SafetensorsWriter w, ObjectNode meta, Random rnd, String name, int in, int out, long[] shape) {
    meta.set(name, JSON.createObjectNode().put("bits", 8).put("in", in).put("out", out).put("groups", 1).put("group_axis", "out"));
    byte[] weights = new byte[in * out];
    for (int i = 0; i < weights.length; i++) {
      weights[i] = (byte) (rnd.nextInt(61) - 30);
    }
    w.addI8(name + ".weight_int", shape, weights);
    w.addF32(name + ".weight_step", new long[] {1}, new float[] {0.3f / (float) Math.sqrt(in) / 30f * 3f});
    w.addF32(name + ".bias", new long[] {out}, gaussian(rnd, out, 0.02f));
  }

  /** A layer of at most 4 bits: two's-complement nibbles, column 2j low, 2j+1 high. */
  private static void linearLow(SafetensorsWriter w, ObjectNode meta, Random rnd, String name, int bits, int in, int out,
      int groups, String axis) {
    meta.set(name, JSON.createObjectNode().put("bits", bits).put("in", in).put("out", out).put("groups", groups)
        .put("group_axis", axis));
    int qmin = -(1 << (bits - 1));
    int span = 1 << bits;
    int packedCols = (in + 1) / 2;
    byte[] packed = new byte[out * packedCols];
    for (int o = 0; o < out; o++) {
      for (int i = 0; i < in; i++) {
        int v = qmin + rnd.nextInt(span);
        int idx = o * packedCols + i / 2;
        int nibble = v & 0xF;
        packed[idx] = (byte) (i % 2 == 0 ? (packed[idx] & 0xF0) | nibble : (packed[idx] & 0x0F) | (nibble << 4));
      }
    }
    w.addU8(name + ".weight_int", new long[] {out, packedCols}, packed);
    float[] steps = new float[groups];
    for (int i = 0; i < groups; i++) {
      steps[i] = (float) (1.0 / Math.sqrt(in) / 4) * (0.75f + 0.5f * rnd.nextFloat());
    }
    w.addF32(name + ".weight_step", new long[] {groups}, steps);
    w.addF32(name + ".bias", new long[] {out}, gaussian(rnd, out, 0.02f));
  }

  private static void norm(SafetensorsWriter w, String name, int d, Random rnd) {
    float[] gamma = new float[d];
    for (int i = 0; i < d; i++) {
      gamma[i] = 1f + 0.1f * (float) rnd.nextGaussian();
    }
    w.addF32(name + ".weight", new long[] {d}, gamma);
    w.addF32(name + ".bias", new long[] {d}, gaussian(rnd, d, 0.05f));
  }

  private static float[] gaussian(Random rnd, int n, float scale) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = scale * (float) rnd.nextGaussian();
    }
    return v;
  }
}
