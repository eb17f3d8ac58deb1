package dev.vvtq.qat.softlabel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SoftTargetTypeTest {
  private static final int[] CLASSES = {4, 1, 7, 0, 9};
  private static final float[] VALUES = {0.5f, 0.2f, 0.1f, 0.05f, 0.05f};

  @Test
  void hardIsOneHotOfTheLabel() {
    float[] t = SoftTargetType.HARD.recover(3, CLASSES, VALUES, 10);
    float[] expected = new float[10];
    expected[3] = 1f;
    assertArrayEquals(expected, t);
  }

  @Test
  void smoothingSpreadsTheRestOfTopOne() {
    float[] t = SoftTargetType.SMOOTHING.recover(3, CLASSES, VALUES, 10);
    for (int c = 0; c < 10; c++) {
      assertEquals(c == 4 ? 0.5f : 0.5f / 9, t[c], 1e-7, "class " + c);
    }
  }

  @Test
  void marginalSmoothingK5KeepsTopFiveAndSharesTheRest() {
    float[] t = SoftTargetType.MARGINAL_SMOOTHING_K5.recover(3, CLASSES, VALUES, 10);
    float[] expected = {0.05f, 0.2f, 0.02f, 0.02f, 0.5f, 0.02f, 0.02f, 0.1f, 0.02f, 0.05f};
    assertArrayEquals(expected, t, 1e-7f);
    float sum = 0;
    for (float v : t) {
      sum += v;
    }
    assertEquals(1f, sum, 1e-6);
  }

  @Test
  void marginalSmoothingK10NeedsTenStoredValues() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SoftTargetType.MARGINAL_SMOOTHING_K10.recover(3, CLASSES, VALUES, 100));
    assertTrue(e.getMessage().contains("top-5") && e.getMessage().contains("k >= 10"), e.getMessage());
    int[] classes = new int[10];
    float[] values = new float[10];
    for (int i = 0; i < 10; i++) {
      classes[i] = 2 * i;
      values[i] = 0.09f;
    }
    float[] t = SoftTargetType.MARGINAL_SMOOTHING_K10.recover(0, classes, values, 20);
    assertEquals(0.09f, t[18], 1e-7);
    assertEquals((1f - 0.9f) / 10, t[1], 1e-6);
  }

  @Test
  void marginalRenormNormalisesTheStoredValues() {
    float[] t = SoftTargetType.MARGINAL_RENORM.recover(3, CLASSES, VALUES, 10);
    assertEquals(0.5f / 0.9f, t[4], 1e-6);
    assertEquals(0.2f / 0.9f, t[1], 1e-6);
    assertEquals(0f, t[2]);
    assertEquals(0f, t[3]);
  }

  @Test
  void cliNames() {
    assertEquals(SoftTargetType.MARGINAL_SMOOTHING_K5, SoftTargetType.fromCliName("marginal_smoothing_k5"));
    assertEquals("marginal_renorm", SoftTargetType.MARGINAL_RENORM.cliName());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SoftTargetType.fromCliName("soft"));
    assertTrue(e.getMessage().contains("hard, smoothing, marginal_smoothing_k5"), e.getMessage());
  }
}
