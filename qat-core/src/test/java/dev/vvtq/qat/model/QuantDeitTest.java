package dev.vvtq.qat.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.vvtq.qat.nn.ForwardContext;
import dev.vvtq.qat.nn.Param;
import dev.vvtq.qat.nn.ParamKind;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QuantDeitTest {

  static long countFloatWeights(Map<String, Param> params) {
    return params.values().stream()
        .filter(p -> p.kind() != ParamKind.STEP && p.kind() != ParamKind.OFFSET)
        .mapToLong(p -> p.shape().size())
        .sum();
  }

  @Test
  void deitTinyHasTimmsParameterCount() {
    try (NDManager m = NDManager.newBaseManager()) {
      try (QuantDeit fp = QuantDeit.create(DeitModels.get("deit_tiny_patch16_224", -1, -1), m, 0)) {
        Map<String, Param> p = fp.namedParameters();
        assertEquals(5_717_416L, countFloatWeights(p));
        assertFalse(p.keySet().stream().anyMatch(k -> k.endsWith("alpha")), "float model has no steps");
        assertTrue(p.containsKey("blocks.11.attn.proj_q.weight"));
        assertTrue(p.containsKey("blocks.0.mlp.fc2.bias"));
      }
      try (QuantDeit q = QuantDeit.create(DeitModels.get("deit_tiny_patch16_224", 4, 4), m, 0)) {
        Map<String, Param> p = q.namedParameters();
        assertEquals(5_717_416L, countFloatWeights(p));
        long steps = p.values().stream().filter(x -> x.kind() == ParamKind.STEP).mapToLong(x -> x.shape().size()).sum();
        long offsets = p.values().stream().filter(x -> x.kind() == ParamKind.OFFSET).mapToLong(x -> x.shape().size()).sum();
        // Per block: 6 weight steps + 8 activation steps; plus patch embedding (2) and head (2).
        assertEquals(12 * 14 + 4, steps);
        // Only mlp.quant2 (unsigned with offset) has an offset by default.
        assertEquals(12, offsets);
        System.out.printf("deit_tiny W4A4: %d float weights, %d step sizes, %d offsets%n", countFloatWeights(p), steps, offsets);
      }
    }
  }

  @Test
  void forwardGivesLogitsAndRejectsWrongImageSize() {
    try (NDManager m = NDManager.newBaseManager();
        QuantDeit model = QuantDeit.create(TestConfigs.tiny(4, 4), m, 1)) {
      QuantizerInit.initWeightSteps(model);
      NDArray x = m.randomNormal(new Shape(3, 3, 16, 16));
      try (NDManager step = m.newSubManager()) {
        model.attachParametersTo(step);
        NDArray y = model.forward(x, ForwardContext.eval(step));
        assertEquals(new Shape(3, 10), y.getShape());
      }
      NDArray wrong = m.randomNormal(new Shape(1, 3, 20, 20));
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> model.forward(wrong, ForwardContext.eval(m)));
      assertTrue(e.getMessage().contains("20x20"), e.getMessage());
    }
  }

  @Test
  void headWiseModelHasPerHeadSteps() {
    DeitConfig c = TestConfigs.tiny(4, 4).withOptions(true, true, 0.1);
    try (NDManager m = NDManager.newBaseManager(); QuantDeit model = QuantDeit.create(c, m, 1)) {
      Map<String, Param> p = model.namedParameters();
      assertEquals(new Shape(2), p.get("blocks.0.attn.quant_q.alpha").shape());
      assertEquals(new Shape(2), p.get("blocks.0.attn.proj_k.alpha").shape());
      assertEquals(new Shape(2), p.get("blocks.0.attn.proj.alpha").shape());
      assertEquals(new Shape(1), p.get("blocks.0.attn.quant_input.alpha").shape());
      assertTrue(p.containsKey("blocks.0.attn.quant_input.beta"));
      QuantizerInit.initWeightSteps(model);
      QuantizerInit.initActivationSteps(model, m.randomNormal(new Shape(4, 3, 16, 16)));
      assertTrue(model.activationQuantizers().values().stream().allMatch(q -> q.isInitialized()));
    }
  }
}
