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

/** Concurrent callers, warm-up, profiling, top-k and the API's argument checks. */
class ConcurrencyAndServingTest {
  @TempDir Path root;

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
    try (IntDeit shared = IntDeit.load(dir, EngineOptions.defaults().withThreads(2).withParallelCalls(2).withMaxMicroBatch(3))) {
      List<Future<?>> done = new ArrayList<>();
      for (int i = 0; i < callers; i++) {
        int id = i;
        done.add(pool.submit(() -> {
          float[] out = new float[(1 + id) * c.numClasses()];
          for (int rep = 0; rep < 15; rep++) {
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
  void warmUpReachesAnAllocationFreeSteadyStateAndProfilesCoverTheWork() throws Exception {
    ModelConfig c = SyntheticModel.tiny(4, 4, true, true);
    Path dir = SyntheticModel.random(c, 43).writeTo(root, "w", "1");
    try (IntDeit engine = IntDeit.load(dir, EngineOptions.defaults().withThreads(2).withProfile(true))) {
      WarmUpReport r = engine.warmUp(java.time.Duration.ofSeconds(45));
      // The 10 KiB a pass once met here (CI, and JDK 25 beside a training run) was a compiled state, not
      // a slow JIT: see WarmUpWithImmatureProfilesTest. The retries are for a machine so busy that C2
      // has not finished compiling the kernels within one warm-up.
      for (int retry = 0; retry < 2 && r.allocatedBytesPerPass() != 0; retry++) {
        r = engine.warmUp(java.time.Duration.ofSeconds(45));
      }
      assertEquals(0, r.allocatedBytesPerPass(), "a warm pass allocates nothing: " + r);
      float[] x = SyntheticModel.randomImages(c, 4, 44);
      float[] logits = new float[4 * c.numClasses()];
      engine.forward(x, 0, 4, logits, 0);
      OpProfile p = engine.profile();
      assertEquals(4, p.images());
      for (OpClass op : OpClass.values()) {
        assertTrue(p.millis().get(op) > 0, op + " was timed: " + p);
      }
      assertTrue(p.busyMillis() <= 2 * p.wallMillis() * 1.05, p.toString());
      assertEquals(0, engine.profile().images(), "profile() resets");
      assertTrue(engine.weightBytes() > 0 && engine.modelBytes() > engine.weightBytes());
      assertTrue(engine.workspaceBytes() > 0);
    }
  }

  @Test
  void topKGivesSoftmaxProbabilitiesInOrder() {
    float[] logits = {1f, 3f, 2f, 3f, -1f};
    List<Prediction> top = TopK.of(logits, 0, 5, 3, List.of("a", "b", "c", "d", "e"));
    assertEquals(List.of(1, 3, 2), top.stream().map(Prediction::index).toList());
    assertEquals("b", top.get(0).label());
    double z = Math.exp(1) + 2 * Math.exp(3) + Math.exp(2) + Math.exp(-1);
    assertEquals(Math.exp(3) / z, top.get(0).probability(), 1e-6);
    assertEquals(Math.exp(2) / z, top.get(2).probability(), 1e-6);
    assertEquals(5, TopK.of(logits, 0, 5, 10, null).size());
    assertEquals("4", TopK.of(logits, 0, 5, 5, null).get(4).label());
    // a window of a longer array: indices relative to the window
    assertEquals(List.of(1), TopK.of(new float[] {9, 5, 7}, 1, 2, 1, null).stream().map(Prediction::index).toList());
  }

  @Test
  void argumentsAreChecked() throws Exception {
    ModelConfig c = SyntheticModel.tiny(4, 4, false, false);
    Path dir = SyntheticModel.random(c, 45).writeTo(root, "a", "1");
    IntDeit engine = IntDeit.load(dir, EngineOptions.defaults().withThreads(2));
    float[] x = SyntheticModel.randomImages(c, 2, 46);
    assertThrows(IllegalArgumentException.class, () -> engine.forward(x, 3));
    assertThrows(IllegalArgumentException.class, () -> engine.forward(x, 0, 2, new float[15], 0));
    assertEquals(0, engine.forward(x, 0).length);
    List<Prediction> top = engine.topK(engine.forward(x, 2), 1, 2);
    assertEquals(2, top.size());
    assertTrue(top.get(0).label().startsWith("class_"));
    engine.close();
    engine.close();
    assertThrows(IllegalStateException.class, () -> engine.forward(x, 1));
    assertThrows(IllegalArgumentException.class, () -> EngineOptions.defaults().withThreads(0));
  }
}
