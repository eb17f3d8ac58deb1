package dev.vvtq.qat.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.vvtq.qat.model.DeitModels;
import dev.vvtq.qat.model.QuantDeit;
import dev.vvtq.qat.nn.ForwardContext;
import dev.vvtq.qat.nn.NoGrad;
import dev.vvtq.qat.nn.TorchArrays;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file written by timm 1.0.29 + safetensors (tools/reference/make_fixtures.py: a VisionTransformer
 * with 16x16 input, patch 4, width 32, depth 2, 2 heads, 10 classes) and timm's logits on a fixed
 * batch: our float DeiT must give the same logits, and export must give back the same bytes.
 */
class TimmReferenceTest {
  @TempDir Path dir;

  private static byte[] resource(String name) throws Exception {
    try (InputStream in = TimmReferenceTest.class.getResourceAsStream("/reference/" + name)) {
      assertTrue(in != null, "missing test resource " + name);
      return in.readAllBytes();
    }
  }

  @Test
  void importedTimmModelGivesTimmsLogitsAndExportsTheSameBytes() throws Exception {
    byte[] original = resource("timm_vit_pico.safetensors");
    Path file = dir.resolve("timm.safetensors");
    Files.write(file, original);
    ByteBuffer b = ByteBuffer.wrap(resource("timm_vit_pico.logits.bin")).order(ByteOrder.LITTLE_ENDIAN);
    long[] xShape = {b.getInt(), b.getInt(), b.getInt(), b.getInt()};
    float[] x = new float[(int) (xShape[0] * xShape[1] * xShape[2] * xShape[3])];
    for (int i = 0; i < x.length; i++) {
      x[i] = b.getFloat();
    }
    int rows = b.getInt();
    int cols = b.getInt();
    float[] expected = new float[rows * cols];
    for (int i = 0; i < expected.length; i++) {
      expected[i] = b.getFloat();
    }
    try (NDManager m = NDManager.newBaseManager();
        QuantDeit model = QuantDeit.create(DeitModels.get("deit_pico_patch4_16", -1, -1), m, 0);
        NoGrad ignored = NoGrad.enter()) {
      TimmCheckpoint.importInto(model, file);
      try (NDManager step = m.newSubManager()) {
        model.attachParametersTo(step);
        NDArray logits = model.forward(TorchArrays.create(step, x, new Shape(xShape)), ForwardContext.eval(step));
        assertArrayEquals(expected, logits.toFloatArray(), 1e-4f);
      }
      Path out = dir.resolve("export.safetensors");
      TimmCheckpoint.export(model, out);
      assertArrayEquals(original, Files.readAllBytes(out), "export must reproduce timm's file byte for byte");
    }
  }
}
