package dev.vvtq.qat.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.vvtq.imaging.EvalPreprocessor;
import org.junit.jupiter.api.Test;

class DeitConfigJsonTest {
  @Test
  void roundTripsEveryField() {
    DeitConfig c = new DeitConfig("test_tiny", 16, 4, 3, 10, 32, 2, 2, 4.0, 3, 4, true, false, 0.05, 0.9);
    assertEquals(c, DeitConfigJson.parse(DeitConfigJson.toString(c)));
  }

  @Test
  void checkpointsWithoutDropPathOrCropPctGetTheDefaults() {
    DeitConfig c = TestConfigs.tiny(4, 4);
    String older = DeitConfigJson.toJson(c).without(java.util.List.of("drop_path", "crop_pct")).toString();
    DeitConfig read = DeitConfigJson.parse(older);
    assertEquals(0.1, read.dropPath());
    assertEquals(EvalPreprocessor.DEFAULT_CROP_PCT, read.cropPct());
  }

  @Test
  void aMissingOrMistypedKeyIsNamed() {
    String json = DeitConfigJson.toString(TestConfigs.tiny(4, 4));
    assertEquals("model config has no 'num_heads'", assertThrows(IllegalArgumentException.class,
        () -> DeitConfigJson.parse(json.replace("\"num_heads\"", "\"heads\""))).getMessage());
    assertEquals("model config 'head_wise' is \"false\", not true or false", assertThrows(IllegalArgumentException.class,
        () -> DeitConfigJson.parse(json.replace("\"head_wise\":false", "\"head_wise\":\"false\""))).getMessage());
  }
}
