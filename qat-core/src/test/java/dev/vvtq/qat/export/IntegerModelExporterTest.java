package dev.vvtq.qat.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.vvtq.artifacts.manifest.Manifest;
import dev.vvtq.artifacts.safetensors.DType;
import dev.vvtq.artifacts.safetensors.SafetensorsReader;
import dev.vvtq.artifacts.store.LocalFolderStore;
import dev.vvtq.qat.model.DeitConfig;
import dev.vvtq.qat.model.IntegerModelView;
import dev.vvtq.qat.model.QuantDeit;
import dev.vvtq.qat.model.QuantizerInit;
import dev.vvtq.qat.model.TestConfigs;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IntegerModelExporterTest {
  @TempDir Path dir;

  @Test
  void packsNibblesLowFirstWithOddWidth() {
    int[] v = {-8, 7, -1, 0, 3, 1, 2, -2, -3, 5};
    byte[] p = IntegerModelExporter.packNibbles(v, 2, 5);
    assertEquals(6, p.length);
    assertEquals((byte) 0x78, p[0]);
    assertEquals((byte) 0x0F, p[1]);
    assertEquals((byte) 0x03, p[2]);
    assertEquals((byte) 0x21, p[3]);
    assertEquals((byte) 0xDE, p[4]);
    assertEquals((byte) 0x05, p[5]);
    assertThrows(IllegalArgumentException.class, () -> IntegerModelExporter.packNibbles(new int[] {8}, 1, 1));
  }

  @Test
  void exportedFileHoldsEveryTensorOfTheFormat() throws Exception {
    // Without --use-offset: its offsets at q/k/v, the attention output and before the head have no
    // integer kernels yet (IntegerModelViewTest), so only mlp.quant2's offset is exported.
    DeitConfig c = TestConfigs.tiny(4, 4).withOptions(true, false, 0.1);
    try (NDManager m = NDManager.newBaseManager(); QuantDeit model = QuantDeit.create(c, m, 2);
        LocalFolderStore store = new LocalFolderStore(dir)) {
      QuantizerInit.initWeightSteps(model);
      QuantizerInit.initActivationSteps(model, m.randomNormal(new Shape(2, 3, 16, 16)));
      IntegerModelView view = IntegerModelView.of(model);
      List<String> classes = IntStream.range(0, 10).mapToObj(i -> "c" + i).toList();
      Manifest manifest = IntegerModelExporter.publish(view, classes, store, "models/t/1", "test");
      assertTrue(manifest.file("model.safetensors").isPresent());
      try (SafetensorsReader r = SafetensorsReader.open(dir.resolve("models/t/1/model.safetensors"))) {
        assertEquals("vvtq-int/1", r.metadata().get("format"));
        assertTrue(r.metadata().get("class_names").contains("\"c9\""));
        assertEquals(DType.U8, r.info("blocks.0.mlp.fc1.weight_int").dtype());
        assertArrayEquals(new long[] {128, 16}, r.info("blocks.0.mlp.fc1.weight_int").shape());
        assertEquals(DType.I8, r.info("patch_embed.proj.weight_int").dtype());
        assertArrayEquals(new long[] {32, 3, 4, 4}, r.info("patch_embed.proj.weight_int").shape());
        assertEquals(DType.I8, r.info("head.weight_int").dtype());
        assertArrayEquals(new long[] {2}, r.info("blocks.1.attn.proj_q.weight_step").shape());
        assertArrayEquals(new long[] {2}, r.info("blocks.1.attn.quant_attn.step").shape());
        assertTrue(!r.contains("blocks.1.attn.quant_input.offset"));
        assertTrue(r.contains("blocks.1.mlp.quant2.offset"));
        assertTrue(r.contains("pos_embed"));
        // Unpack one layer and compare with the view.
        byte[] packed = r.bytes("blocks.1.attn.proj_v.weight_int");
        int[] expected = view.linears().get("blocks.1.attn.proj_v").weightInt();
        for (int i = 0; i < expected.length; i++) {
          int b = packed[i / 2];
          int nibble = i % 2 == 0 ? b & 0xF : (b >> 4) & 0xF;
          assertEquals(expected[i], (nibble << 28) >> 28, "element " + i);
        }
      }
    }
  }
}
