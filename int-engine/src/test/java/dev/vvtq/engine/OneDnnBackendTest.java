package dev.vvtq.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vvtq.engine.model.ModelConfig;
import dev.vvtq.engine.testing.SyntheticModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The onednn backend gives the java backend's logits bit for bit (the integer products are exact and
 * the float parts are the same kernels), under concurrent callers too, warms up to a pass that
 * allocates nothing, and reports itself.
 */
class OneDnnBackendTest {
  @TempDir Path root;

  private static EngineOptions options(BackendChoice b) {
    return EngineOptions.defaults().withThreads(2).withMaxMicroBatch(2).withBackend(b);
  }

  @ParameterizedTest(name = "W{0}A{1} head-wise={2} offset={3}")
  @CsvSource({"4, 4, false, false", "4, 4, true, true", "2, 2, false, false", "3, 3, true, true", "8, 8, false, false",
      "8, 4, false, true", "4, 8, true, false"})
  void logitsEqualTheJavaBackendsBitForBit(int wbits, int abits, boolean headWise, boolean offset) throws Exception {
    ModelConfig c = SyntheticModel.tiny(wbits, abits, headWise, offset);
    Path dir = SyntheticModel.random(c, 7L * wbits + abits).writeTo(root, "m" + wbits + abits + headWise + offset, "1");
    float[] x = SyntheticModel.randomImages(c, 5, 3);
    float[] expected;
    try (IntDeit java = IntDeit.load(dir, options(BackendChoice.JAVA))) {
      assertEquals("java", java.backendName());
      expected = java.forward(x, 5);
    }
    try (IntDeit onednn = IntDeit.load(dir, options(BackendChoice.ONEDNN))) {
      assertEquals("onednn", onednn.backendName());
      assertTrue(onednn.kernelsName().startsWith("onednn-"), onednn.kernelsName());
      assertArrayEquals(expected, onednn.forward(x, 5));
      assertArrayEquals(expected, onednn.forward(x, 5), "second call, primitives reused");
    }
  }

  @Test
  void autoPicksOneDnnWhereItLoads() throws Exception {
    ModelConfig c = SyntheticModel.tiny(4, 4, false, false);
    Path dir = SyntheticModel.random(c, 3).writeTo(root, "a", "1");
    try (IntDeit e = IntDeit.load(dir, options(BackendChoice.AUTO))) {
      assertEquals("onednn", e.backendName());
    }
  }

  @Test
  void concurrentCallersGetTheirOwnResults() throws Exception {
    ModelConfig c = SyntheticModel.tiny(4, 4, false, true);
    Path dir = SyntheticModel.random(c, 41).writeTo(root, "c", "1");
    int callers = 4;
    float[][] inputs = new float[callers][];
    float[][] expected = new float[callers][];
    try (IntDeit single = IntDeit.load(dir, EngineOptions.defaults().withThreads(1))) {
      for (int i = 0; i < callers; i++) {
        inputs[i] = SyntheticModel.randomImages(c, 1 + i, 50 + i);
        expected[i] = single.forward(inputs[i], 1 + i);
      }
    }
    ExecutorService pool = Executors.newFixedThreadPool(callers);
    try (IntDeit shared = IntDeit.load(dir, EngineOptions.defaults().withThreads(2).withParallelCalls(2)
        .withMaxMicroBatch(3).withBackend(BackendChoice.ONEDNN))) {
      List<Future<?>> done = new ArrayList<>();
      for (int i = 0; i < callers; i++) {
        int id = i;
        done.add(pool.submit(() -> {
          float[] out = new float[(1 + id) * c.numClasses()];
          for (int rep = 0; rep < 10; rep++) {
            shared.forward(inputs[id], 0, 1 + id, out, 0);
            assertArrayEquals(expected[id], out, "caller " + id + " pass " + rep);
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void warmsUpToAnAllocationFreePassAndClosesCleanly() throws Exception {
    ModelConfig c = SyntheticModel.tiny(4, 4, true, true);
    Path dir = SyntheticModel.random(c, 43).writeTo(root, "w", "1");
    IntDeit engine = IntDeit.load(dir, options(BackendChoice.ONEDNN).withProfile(true));
    WarmUpReport r = engine.warmUp(java.time.Duration.ofSeconds(45));
    for (int retry = 0; retry < 2 && r.allocatedBytesPerPass() != 0; retry++) {
      r = engine.warmUp(java.time.Duration.ofSeconds(45));
    }
    assertEquals(0, r.allocatedBytesPerPass(), "a warm pass allocates nothing: " + r);
    float[] x = SyntheticModel.randomImages(c, 3, 44);
    engine.forward(x, 3);
    OpProfile p = engine.profile();
    assertTrue(p.millis().get(OpClass.LINEAR) > 0 && p.millis().get(OpClass.ATTENTION) > 0, p.toString());
    assertTrue(engine.weightBytes() > 0 && engine.workspaceBytes() > 0);
    engine.close();
    engine.close();
    assertThrows(IllegalStateException.class, () -> engine.forward(x, 1));
  }
}
