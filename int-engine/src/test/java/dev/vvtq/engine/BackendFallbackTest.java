package dev.vvtq.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vvtq.engine.model.ModelConfig;
import dev.vvtq.engine.testing.SyntheticModel;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where oneDNN's natives do not load, {@code auto} runs the java backend and {@code onednn} fails with
 * a message that says what to do. The natives are made unloadable for real: JavaCPP is told it runs on
 * another platform before it loads anything, so it looks for natives this classpath does not have
 * (this class runs in a JVM of its own, see the pom).
 */
class BackendFallbackTest {
  @TempDir Path root;

  @BeforeAll
  static void anotherPlatform() {
    System.setProperty("org.bytedeco.javacpp.platform", "linux-riscv64");
  }

  @Test
  void autoFallsBackToJavaAndOneDnnByNameFailsClearly() throws Exception {
    ModelConfig c = SyntheticModel.tiny(4, 4, false, false);
    Path dir = SyntheticModel.random(c, 9).writeTo(root, "f", "1");
    float[] x = SyntheticModel.randomImages(c, 2, 10);
    float[] expected;
    try (IntDeit java = IntDeit.load(dir, EngineOptions.defaults().withThreads(2))) {
      expected = java.forward(x, 2);
    }
    try (IntDeit auto = IntDeit.load(dir, EngineOptions.defaults().withThreads(2).withBackend(BackendChoice.AUTO))) {
      assertEquals("java", auto.backendName());
      assertArrayEquals(expected, auto.forward(x, 2));
    }
    BackendUnavailableException e = assertThrows(BackendUnavailableException.class,
        () -> IntDeit.load(dir, EngineOptions.defaults().withBackend(BackendChoice.ONEDNN)));
    assertTrue(e.getMessage().contains("backend onednn is unavailable")
        && e.getMessage().contains("use backend java or auto"), e.getMessage());
    // a second attempt fails the same way (the natives' classes are now in an erroneous state)
    assertThrows(BackendUnavailableException.class,
        () -> IntDeit.load(dir, EngineOptions.defaults().withBackend(BackendChoice.ONEDNN)));
  }

  @Test
  void backendNamesParse() {
    assertEquals(BackendChoice.ONEDNN, BackendChoice.parse(" OneDNN "));
    assertEquals("auto", BackendChoice.AUTO.id());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BackendChoice.parse("tornado"));
    assertTrue(e.getMessage().contains("auto, java or onednn"), e.getMessage());
  }
}
