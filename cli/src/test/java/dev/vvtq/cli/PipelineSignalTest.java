package dev.vvtq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM of {@code vvtq pipeline} in a child JVM while the teacher trains: the JVM waits for the
 * step to end, writes the cancel checkpoint, marks the record, and exits 143 (no libtorch crash);
 * the same command run again resumes that run.
 */
class PipelineSignalTest {
  @TempDir Path dir;

  private static void images(Path split, int perClass, long seed) throws IOException {
    Random rnd = new Random(seed);
    for (int c = 0; c < 2; c++) {
      Path folder = Files.createDirectories(split.resolve("class" + c));
      for (int i = 0; i < perClass; i++) {
        BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < 32; y++) {
          for (int x = 0; x < 32; x++) {
            img.setRGB(x, y, (c == 0 ? 0xC00000 : 0x0000C0) | rnd.nextInt(0x40) << 8);
          }
        }
        ImageIO.write(img, "png", folder.resolve(i + ".png").toFile());
      }
    }
  }

  /** A child JVM running the pipeline; its output is collected and watched for a line. */
  private static final class Child {
    final Process process;
    final List<String> lines = new ArrayList<>();
    final CountDownLatch sawLine = new CountDownLatch(1);
    final Thread reader;

    Child(Path work, Path data, String awaited) throws IOException {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      process = new ProcessBuilder(java, "-Xss4m", "-Dai.djl.offline=true", "--add-modules", "jdk.incubator.vector",
          "-cp", System.getProperty("java.class.path"), Main.class.getName(), "pipeline", "--work", work.toString(),
          "--data", data.toString(), "-b", "4", "--epochs-scale", "40", "-j", "1")
          .redirectErrorStream(true).directory(work.toFile()).start();
      reader = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
          String line;
          while ((line = r.readLine()) != null) {
            synchronized (lines) {
              lines.add(line);
            }
            if (line.contains(awaited)) {
              sawLine.countDown();
            }
          }
        } catch (IOException ignored) {
          // the process ended
        }
      });
      reader.setDaemon(true);
      reader.start();
    }

    String output() {
      synchronized (lines) {
        return String.join("\n", lines);
      }
    }

    /** SIGTERM once the awaited line is out and a few steps have run; returns the exit status. */
    int terminateAfterLine() throws InterruptedException {
      assertTrue(sawLine.await(180, TimeUnit.SECONDS), "never saw the awaited line:\n" + output());
      Thread.sleep(1500); // inside the training loop, most likely in a native forward/backward call
      // SIGTERM; Process.destroy() would also close our end of the child's output, losing its last lines.
      assertTrue(process.toHandle().destroy());
      assertTrue(process.waitFor(180, TimeUnit.SECONDS), "did not exit after SIGTERM:\n" + output());
      reader.join(10_000);
      return process.exitValue();
    }
  }

  @Test
  void sigtermCheckpointsMarksTheRecordExits143AndARerunResumes() throws Exception {
    Path data = dir.resolve("data");
    images(data.resolve("train"), 24, 1);
    images(data.resolve("val"), 4, 2);
    Path work = Files.createDirectories(dir.resolve("work"));
    Path runJson = work.resolve("artifacts/runs/fmnist-fp32-quick/run.json");
    ObjectMapper json = new ObjectMapper();

    Child first = new Child(work, data, "run fmnist-fp32-quick: ");
    assertEquals(143, first.terminateAfterLine(), first.output());
    assertTrue(first.output().contains("stopping at the next safe point"), first.output());
    JsonNode record = json.readTree(runJson.toFile());
    assertEquals("CANCELLED", record.path("status").asText(), first.output());
    JsonNode latest = json.readTree(work.resolve("artifacts/runs/fmnist-fp32-quick/checkpoints/latest.json").toFile());
    long stoppedAt = latest.path("step").asLong();
    assertTrue(stoppedAt > 0, latest.toString());
    assertEquals(List.of(), crashReports(work), "the JVM crashed:\n" + first.output());

    Child second = new Child(work, data, "was interrupted: resuming it");
    assertEquals(143, second.terminateAfterLine(), second.output());
    assertTrue(second.output().contains("resumed runs/fmnist-fp32-quick at epoch"), second.output());
    JsonNode again = json.readTree(work.resolve("artifacts/runs/fmnist-fp32-quick/checkpoints/latest.json").toFile());
    assertTrue(again.path("step").asLong() >= stoppedAt, again + " vs " + stoppedAt);
    assertEquals("CANCELLED", json.readTree(runJson.toFile()).path("status").asText(), second.output());
    assertEquals(List.of(), crashReports(work));
  }

  private static List<Path> crashReports(Path work) throws IOException {
    try (Stream<Path> files = Files.list(work)) {
      return files.filter(p -> p.getFileName().toString().startsWith("hs_err")).toList();
    }
  }
}
