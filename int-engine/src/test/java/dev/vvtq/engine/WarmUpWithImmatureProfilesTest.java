package dev.vvtq.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vvtq.engine.testing.SyntheticModel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The warm-up in a JVM whose C2 compiles before the type profiles are mature ({@code -Xbatch}): the
 * kernels must inline every Vector API call without help from the profiles. A call on a vector carried
 * round a loop needed them; a CI machine now and then compiled that way and left 10 KiB a pass.
 */
class WarmUpWithImmatureProfilesTest {
  private static final Pattern ALLOCATED = Pattern.compile("allocatedBytesPerPass=(-?\\d+)");

  @TempDir Path root;

  @Test
  void aWarmPassAllocatesNothingWhenC2CompilesBeforeProfilesMature() throws Exception {
    Path dir = SyntheticModel.random(SyntheticModel.tiny(4, 4, true, true), 43).writeTo(root, "w", "1");
    List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xbatch", "-Xss4m", "--add-modules", "jdk.incubator.vector",
        "-cp", System.getProperty("java.class.path"), Probe.class.getName(), dir.toString());
    // Output goes to a file: reading the pipe would block until the child exits, so a hung child
    // would hang the build instead of failing the timeout below.
    Path log = root.resolve("child.log");
    Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    boolean exited = child.waitFor(3, TimeUnit.MINUTES);
    if (!exited) {
      child.destroyForcibly();
    }
    String out = Files.readString(log, StandardCharsets.UTF_8);
    assertTrue(exited, "the warm-up child ran past 3 minutes: " + out);
    assertEquals(0, child.exitValue(), out);
    Matcher m = ALLOCATED.matcher(out);
    assertTrue(m.find(), out);
    assertEquals(0, Long.parseLong(m.group(1)), "a warm pass allocates nothing under -Xbatch: " + out);
  }

  /** Runs in the child JVM: loads the model, warms it up and prints the report. */
  static final class Probe {
    public static void main(String[] args) throws Exception {
      try (IntDeit engine = IntDeit.load(Path.of(args[0]), EngineOptions.defaults().withThreads(2))) {
        System.out.println(engine.warmUp(Duration.ofSeconds(60)));
      }
    }
  }
}
