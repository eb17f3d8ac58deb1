package dev.vvtq.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vvtq.engine.kernels.ScalarKernels;
import dev.vvtq.engine.model.ModelConfig;
import dev.vvtq.engine.testing.ReferenceDeit;
import dev.vvtq.engine.testing.SyntheticModel;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The engine's logits against the double-precision fake-quant reference written from the format's
 * formulas: max |difference| at most 1e-3 of the logit range, per image.
 */
class ForwardAccuracyTest {
  @TempDir Path root;

  static void assertClose(double[] expected, float[] actual, int off, String what) {
    double max = Double.NEGATIVE_INFINITY;
    double min = Double.POSITIVE_INFINITY;
    double worst = 0;
    for (int j = 0; j < expected.length; j++) {
      max = Math.max(max, expected[j]);
      min = Math.min(min, expected[j]);
      worst = Math.max(worst, Math.abs(expected[j] - actual[off + j]));
    }
    double range = max - min;
    assertTrue(range > 0.1, what + ": logits span only " + range + ", a degenerate test model");
    assertTrue(worst <= 1e-3 * range, what + ": max |logit diff| " + worst + " > 1e-3 x range " + range);
  }

  private void check(ModelConfig config, long seed, int images, EngineOptions options) throws Exception {
    SyntheticModel model = SyntheticModel.random(config, seed);
    Path dir = model.writeTo(root, "m" + seed, "1");
    float[] x = SyntheticModel.randomImages(config, images, seed + 1);
    try (IntDeit engine = IntDeit.load(dir, options)) {
      float[] logits = engine.forward(x, images);
      ReferenceDeit ref = new ReferenceDeit(model);
      for (int i = 0; i < images; i++) {
        float[] one = java.util.Arrays.copyOfRange(x, i * config.imageFloats(), (i + 1) * config.imageFloats());
        assertClose(ref.logits(one), logits, i * config.numClasses(), config + " image " + i);
      }
    }
  }

  @ParameterizedTest(name = "W{0}A{1} head-wise={2} offset={3}")
  @CsvSource({
    "4, 4, false, false", "4, 4, true, false", "4, 4, false, true", "4, 4, true, true", "2, 2, false, false",
    "3, 3, true, true", "8, 8, false, false", "8, 4, false, true", "4, 8, true, false", "2, 4, false, false"
  })
  void tinyModelsMatchTheReference(int wbits, int abits, boolean headWise, boolean offset) throws Exception {
    check(SyntheticModel.tiny(wbits, abits, headWise, offset), 100L * wbits + 10L * abits + (headWise ? 2 : 0) + (offset ? 1 : 0),
        3, EngineOptions.defaults().withThreads(2).withMaxMicroBatch(2));
  }

  @Test
  void scalarKernelsMatchTheReferenceToo() throws Exception {
    check(SyntheticModel.tiny(4, 4, true, true), 7, 2,
        EngineOptions.defaults().withThreads(1).withKernels(ScalarKernels::new));
  }

  /** An odd shape: 3 heads of 10, 20x20 images with 5x5 patches (17 tokens), 1 channel, MLP ratio 2. */
  @Test
  void oddDimensions() throws Exception {
    ModelConfig c = new ModelConfig("odd", 20, 5, 1, 7, 30, 3, 3, 2.0, 4, 4, true, true, 1e-6);
    check(c, 11, 2, EngineOptions.defaults().withThreads(2));
  }

  @Test
  void deitTinyDimensionsOneImage() throws Exception {
    check(SyntheticModel.deitTiny(4, 4), 3, 1, EngineOptions.defaults().withThreads(2));
  }

  /** The comparison discriminates: a model differing in one step size (by 5 %) fails it. */
  @Test
  void aSlightlyDifferentModelDoesNotPass() throws Exception {
    ModelConfig c = SyntheticModel.tiny(4, 4, false, false);
    SyntheticModel model = SyntheticModel.random(c, 31);
    Path dir = model.writeTo(root, "d", "1");
    float[] x = SyntheticModel.randomImages(c, 1, 32);
    model.quantSteps.get("blocks.1.mlp.quant1")[0] *= 1.05f;
    try (IntDeit engine = IntDeit.load(dir, EngineOptions.defaults().withThreads(1))) {
      float[] logits = engine.forward(x, 1);
      org.junit.jupiter.api.Assertions.assertThrows(org.opentest4j.AssertionFailedError.class,
          () -> assertClose(new ReferenceDeit(model).logits(x), logits, 0, "perturbed"));
    }
  }

  @Test
  void threadCountAndBatchPiecesDoNotChangeABit() throws Exception {
    ModelConfig c = SyntheticModel.tiny(4, 4, true, true);
    Path dir = SyntheticModel.random(c, 21).writeTo(root, "t", "1");
    float[] x = SyntheticModel.randomImages(c, 5, 22);
    float[] reference = null;
    for (EngineOptions o : new EngineOptions[] {
        EngineOptions.defaults().withThreads(1).withMaxMicroBatch(8),
        EngineOptions.defaults().withThreads(2).withMaxMicroBatch(8),
        EngineOptions.defaults().withThreads(3).withMaxMicroBatch(2),
        EngineOptions.defaults().withThreads(2).withMaxMicroBatch(1)}) {
      try (IntDeit engine = IntDeit.load(dir, o)) {
        float[] logits = engine.forward(x, 5);
        if (reference == null) {
          reference = logits;
        } else {
          assertArrayEquals(reference, logits, o.toString());
        }
      }
    }
  }
}
