package dev.vvtq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vvtq.artifacts.files.FileTree;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The main job's command end to end on a tiny ImageFolder: every stage, the table, the plot, the export. */
class PipelineCommandTest {
  @TempDir Path dir;

  static void images(Path split, int perClass, long seed) throws Exception {
    SplittableRandom r = new SplittableRandom(seed);
    // Six classes: the soft labels keep the top 5.
    for (int c = 0; c < 6; c++) {
      Path folder = split.resolve("class" + c);
      Files.createDirectories(folder);
      for (int i = 0; i < perClass; i++) {
        BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 28; y++) {
          for (int x = 0; x < 28; x++) {
            boolean bar = switch (c) {
              case 0 -> Math.abs(x - 14) < 4;
              case 1 -> Math.abs(y - 14) < 4;
              case 2 -> Math.abs(x - y) < 4;
              case 3 -> Math.abs(x + y - 27) < 4;
              case 4 -> x < 10;
              default -> y > 18;
            };
            int v = (bar ? 200 : 20) + r.nextInt(40);
            img.getRaster().setSample(x, y, 0, v);
          }
        }
        ImageIO.write(img, "png", folder.resolve(i + ".png").toFile());
      }
    }
  }

  @Test
  void runsEveryStageAndReusesThemOnARerun() throws Exception {
    Path data = dir.resolve("data");
    images(data.resolve("train"), 8, 1);
    images(data.resolve("val"), 3, 2);
    StringWriter out = new StringWriter();
    CommandLine cl = Main.commandLine();
    cl.setOut(new PrintWriter(out, true));
    StringWriter err = new StringWriter();
    cl.setErr(new PrintWriter(err, true));
    String[] args = {"pipeline", "--work", dir.resolve("work").toString(), "--data", data.toString(),
        "--epochs-scale", "0.2", "--threads", "1", "--batch-size", "8"};
    assertEquals(0, cl.execute(args), out + "\n" + err);
    String text = out.toString();
    assertTrue(text.contains("FP32") && text.contains("W4A4"), text);
    assertTrue(Files.isRegularFile(dir.resolve("work/fmnist-curves-quick.png")));
    assertTrue(Files.isRegularFile(dir.resolve("work/artifacts/models/fmnist-w4a4/1/manifest.json")));
    assertTrue(Files.isRegularFile(dir.resolve("work/artifacts/softlabels/fmnist-teacher-quick/manifest.json")));

    StringWriter again = new StringWriter();
    cl.setOut(new PrintWriter(again, true));
    assertEquals(0, cl.execute(args));
    assertTrue(again.toString().contains("already finished: reusing it"), again.toString());
    assertTrue(again.toString().contains("already published: reusing them"), again.toString());
    assertEquals(tableRows(text), tableRows(again.toString()),
        "a rerun reports the reused runs as they were, their training time included");
    assertEquals(java.util.List.of(), leftIn(dir.resolve("work/tmp")), "every fetched checkpoint is deleted after use");

    // A finished teacher whose labels must be made again, in a work folder without tmp/: the label
    // stage fetches the teacher into a folder it creates.
    FileTree.delete(dir.resolve("work/tmp"));
    FileTree.delete(dir.resolve("work/softlabels"));
    FileTree.delete(dir.resolve("work/artifacts/softlabels"));
    StringWriter third = new StringWriter();
    cl.setOut(new PrintWriter(third, true));
    assertEquals(0, cl.execute(args), third + "\n" + err);
    assertTrue(third.toString().contains("labelling"), third.toString());
    assertEquals(java.util.List.of(), leftIn(dir.resolve("work/tmp")));
  }

  private static java.util.List<Path> leftIn(Path folder) throws java.io.IOException {
    if (!Files.exists(folder)) {
      return java.util.List.of();
    }
    try (java.util.stream.Stream<Path> s = Files.list(folder)) {
      return s.toList();
    }
  }

  private static java.util.List<String> tableRows(String out) {
    return out.lines().filter(l -> l.startsWith("deit_")).toList();
  }
}
