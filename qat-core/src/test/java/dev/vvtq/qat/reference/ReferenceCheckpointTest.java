package dev.vvtq.qat.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.vvtq.qat.model.QuantDeit;
import dev.vvtq.qat.nn.ForwardContext;
import dev.vvtq.qat.nn.NoGrad;
import dev.vvtq.qat.nn.TorchArrays;
import dev.vvtq.qat.torch.TorchCheckpointReader;
import dev.vvtq.qat.torch.TorchTensor;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Checkpoints written by the reference's own quantized DeiT (W4A4; W4A4 and W2A2 with
 * --use-offset): imported, our fake-quantized model gives the reference's logits; exported again,
 * every tensor is the reference's byte for byte and the optimizer's groups are the size the
 * reference's optimizer checks.
 */
class ReferenceCheckpointTest {
  @TempDir Path dir;

  static float[] logits(QuantDeit model, ReferenceFixtures.Batch b, NDManager m) {
    try (NoGrad ignored = NoGrad.enter(); NDManager step = m.newSubManager()) {
      model.attachParametersTo(step);
      NDArray out = model.forward(TorchArrays.create(step, b.input(), new Shape(b.shape())), ForwardContext.eval(step));
      float[] v = out.toFloatArray();
      model.attachParametersTo(model.manager());
      return v;
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"w4a4", "w4a4_offset", "w2a2_offset"})
  void importedModelGivesTheReferencesLogitsAndExportGivesItsTensorsBack(String name) throws Exception {
    Path file = ReferenceFixtures.checkpoint(name, dir);
    ReferenceFixtures.Batch b = ReferenceFixtures.batch(name);
    try (NDManager m = NDManager.newBaseManager()) {
      ReferenceImport.Imported imp = ReferenceImport.read(file, ReferenceFixtures.architecture(), m);
      try (QuantDeit model = imp.model()) {
        assertEquals(name.contains("offset"), model.config().useOffset());
        assertEquals(name.startsWith("w2") ? 2 : 4, model.config().wbits());
        assertEquals("state_dict", imp.source().wrapper());
        assertEquals("module.", imp.source().prefix());
        assertEquals(List.of("epoch", "arch", "best_acc1", "optimizer"), imp.source().ignored());
        float[] ours = logits(model, b, m);
        assertArrayEquals(b.logits(), ours, 2e-5f, name + ": logits");
        for (int r = 0; r < b.rows(); r++) {
          assertEquals(ReferenceFixtures.Batch.argmax(b.logits(), r, b.classes()),
              ReferenceFixtures.Batch.argmax(ours, r, b.classes()), name + ": top-1 of image " + r);
        }

        Path out = dir.resolve("out.pth");
        ReferenceExport.write(model, imp.vectors(), ReferenceExport.Options.defaults(), out);
        Map<?, ?> original = (Map<?, ?>) TorchCheckpointReader.read(file);
        Map<?, ?> exported = (Map<?, ?>) TorchCheckpointReader.read(out);
        Map<?, ?> a = (Map<?, ?>) original.get("state_dict");
        Map<?, ?> e = (Map<?, ?>) exported.get("state_dict");
        assertEquals(List.copyOf(a.keySet()), List.copyOf(e.keySet()), "keys, in the reference's order");
        for (Object k : a.keySet()) {
          TorchTensor x = (TorchTensor) a.get(k);
          TorchTensor y = (TorchTensor) e.get(k);
          assertArrayEquals(x.shape(), y.shape(), k + " shape");
          assertArrayEquals(x.bytes(), y.bytes(), k + " bytes");
        }
        List<?> groupsA = (List<?>) ((Map<?, ?>) original.get("optimizer")).get("param_groups");
        List<?> groupsE = (List<?>) ((Map<?, ?>) exported.get("optimizer")).get("param_groups");
        assertEquals(groupsA.size(), groupsE.size());
        for (int g = 0; g < groupsA.size(); g++) {
          assertEquals(((Map<?, ?>) groupsA.get(g)).get("params"), ((Map<?, ?>) groupsE.get(g)).get("params"), "group " + g);
        }
      }
    }
  }

  @Test
  void withoutTheKeptVectorsEveryWidthCarriesTheModelsStepAndTheModelIsTheSame() throws Exception {
    Path file = ReferenceFixtures.checkpoint("w4a4_offset", dir);
    ReferenceFixtures.Batch b = ReferenceFixtures.batch("w4a4_offset");
    try (NDManager m = NDManager.newBaseManager()) {
      Path out = dir.resolve("plain.pth");
      try (QuantDeit model = ReferenceImport.read(file, ReferenceFixtures.architecture(), m).model()) {
        ReferenceExport.write(model, null, ReferenceExport.Options.defaults(), out);
      }
      Map<?, ?> e = (Map<?, ?>) ((Map<?, ?>) TorchCheckpointReader.read(out)).get("state_dict");
      float[] alpha = ((TorchTensor) e.get("module.blocks.0.attn.quant_q.alpha")).floats();
      for (float v : alpha) {
        assertEquals(alpha[2], v);
      }
      try (QuantDeit again = ReferenceImport.read(out, ReferenceFixtures.architecture(), m).model()) {
        assertArrayEquals(b.logits(), logits(again, b, m), 2e-5f);
      }
    }
  }

  @Test
  void anUnwrappedModelsOptimizerPutsTheEmbeddingsIntoTheNoDecayGroup() throws Exception {
    Path file = ReferenceFixtures.checkpoint("w4a4", dir);
    try (NDManager m = NDManager.newBaseManager();
        QuantDeit model = ReferenceImport.read(file, ReferenceFixtures.architecture(), m).model()) {
      ReferenceExport.Options d = ReferenceExport.Options.defaults();
      Map<String, Object> wrapped = ReferenceExport.checkpoint(model, null, d);
      Map<String, Object> plain = ReferenceExport.checkpoint(model, null,
          new ReferenceExport.Options("", d.epoch(), d.bestTop1(), d.lr(), d.weightDecay()));
      assertTrue(((Map<?, ?>) plain.get("state_dict")).containsKey("cls_token"));
      assertEquals(groupSize(wrapped, 0) + 2, groupSize(plain, 0));
      assertEquals(groupSize(wrapped, 1) - 2, groupSize(plain, 1));
    }
  }

  private static int groupSize(Map<String, Object> ckpt, int g) {
    List<?> groups = (List<?>) ((Map<?, ?>) ckpt.get("optimizer")).get("param_groups");
    return ((List<?>) ((Map<?, ?>) groups.get(g)).get("params")).size();
  }

  @Test
  void aCheckpointOfAnotherArchitectureIsRefusedWithTheWholeReport() throws Exception {
    Path file = ReferenceFixtures.checkpoint("w4a4", dir);
    var wrong = new dev.vvtq.qat.model.DeitConfig("deeper", 8, 4, 3, 10, 12, 3, 2, 4.0, -1, -1, false, false, 0.1, 1.0);
    try (NDManager m = NDManager.newBaseManager()) {
      ReferenceImport.MismatchException ex =
          assertThrows(ReferenceImport.MismatchException.class, () -> ReferenceImport.read(file, wrong, m));
      assertTrue(ex.getMessage().contains("missing [blocks.2.norm1.weight"), ex.getMessage());
    }
  }
}
