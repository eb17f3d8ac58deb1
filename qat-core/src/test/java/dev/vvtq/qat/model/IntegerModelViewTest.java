package dev.vvtq.qat.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.vvtq.qat.nn.ForwardContext;
import dev.vvtq.qat.quant.WeightQuantized;
import org.junit.jupiter.api.Test;

class IntegerModelViewTest {

  @Test
  void integerWeightsTimesStepEqualTheFakeQuantizedWeights() {
    DeitConfig c = TestConfigs.tiny(4, 4).withOptions(true, false, 0.1);
    try (NDManager m = NDManager.newBaseManager(); QuantDeit model = QuantDeit.create(c, m, 4)) {
      QuantizerInit.initWeightSteps(model);
      QuantizerInit.initActivationSteps(model, m.randomNormal(new Shape(2, 3, 16, 16)));
      IntegerModelView view = IntegerModelView.of(model);
      assertEquals(2 + 6 * c.depth(), view.linears().size());
      for (String name : new String[] {"patch_embed.proj", "blocks.1.attn.proj_v", "blocks.0.attn.proj", "head"}) {
        WeightQuantized layer = model.weightLayers().get(name);
        float[] fake = layer.quantizer().quantize(name, layer.weight().array(), ForwardContext.eval(m)).toFloatArray();
        IntegerModelView.Linear lin = view.linears().get(name);
        long out = lin.shape()[0];
        int in = (int) (fake.length / out);
        int groups = lin.weightSteps().length;
        int range = 1 << (lin.bits() - 1);
        for (int i = 0; i < fake.length; i++) {
          int o = i / in;
          int col = i % in;
          int g = groups == 1 ? 0 : lin.axis() == dev.vvtq.qat.quant.GroupAxis.OUT ? (int) (o / (out / groups)) : col / (in / groups);
          assertTrue(lin.weightInt()[i] >= -range && lin.weightInt()[i] < range);
          assertEquals(fake[i], lin.weightInt()[i] * lin.weightSteps()[g], Math.abs(fake[i]) * 1e-6f + 1e-9f, name + "[" + i + "]");
        }
      }
      assertEquals(c.numHeads(), view.linears().get("blocks.0.attn.proj_q").weightSteps().length);
    }
  }

  @Test
  void aModelWithOffsetsWhereTheEngineHasNoKernelsIsRefusedNamingThem() {
    DeitConfig c = TestConfigs.tiny(4, 4).withOptions(false, true, 0.1);
    try (NDManager m = NDManager.newBaseManager(); QuantDeit model = QuantDeit.create(c, m, 4)) {
      assertTrue(model.activationQuantizers().get("blocks.0.attn.quant_k").hasOffset());
      assertTrue(model.activationQuantizers().get("quant").hasOffset());
      assertFalse(model.activationQuantizers().get("blocks.0.attn.quant_attn").hasOffset());
      QuantizerInit.initWeightSteps(model);
      QuantizerInit.initActivationSteps(model, m.randomNormal(new Shape(2, 3, 16, 16)));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IntegerModelView.of(model));
      assertTrue(e.getMessage().contains("blocks.1.attn.quant_output") && e.getMessage().contains("quant]")
          && !e.getMessage().contains("mlp.quant1,"), e.getMessage());
    }
  }

  @Test
  void quantizerSettingsAreExposed() {
    try (NDManager m = NDManager.newBaseManager(); QuantDeit model = QuantDeit.create(TestConfigs.tiny(4, 4), m, 4)) {
      QuantizerInit.initWeightSteps(model);
      QuantizerInit.initActivationSteps(model, m.randomNormal(new Shape(2, 3, 16, 16)));
      IntegerModelView view = IntegerModelView.of(model);
      IntegerModelView.Activation q2 = view.activations().get("blocks.0.mlp.quant2");
      assertFalse(q2.signed());
      assertNotNull(q2.offset());
      assertEquals(8, view.activations().get("patch_embed.quant").bits());
      assertEquals(8, view.linears().get("head").bits());
      assertTrue(view.floats().containsKey("pos_embed"));
    }
  }

  @Test
  void floatModelsAndUncalibratedModelsAreRefused() {
    try (NDManager m = NDManager.newBaseManager()) {
      try (QuantDeit fp = QuantDeit.create(TestConfigs.tiny(-1, -1), m, 4)) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IntegerModelView.of(fp));
        assertTrue(e.getMessage().contains("float model"), e.getMessage());
      }
      try (QuantDeit q = QuantDeit.create(TestConfigs.tiny(4, 4), m, 4)) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IntegerModelView.of(q));
        assertTrue(e.getMessage().contains("never initialised"), e.getMessage());
      }
    }
  }
}
