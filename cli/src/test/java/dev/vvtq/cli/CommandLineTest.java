package dev.vvtq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CommandLineTest {
  @TempDir Path dir;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cl = Main.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  @Test
  void helpListsTheDataCommandAndItsFlags() {
    assertEquals(0, run("--help"));
    assertTrue(out.toString().contains("data"), out.toString());
    assertEquals(0, run("data", "fashion-mnist", "--help"));
    String help = out.toString();
    assertTrue(help.contains("--out=DIR") && help.contains("--source=DIR") && help.contains("dataset-fashion-mnist"), help);
  }

  @Test
  void missingOutIsAUsageError() {
    assertEquals(2, run("data", "fashion-mnist"));
    assertTrue(err.toString().contains("Missing required option: '--out=DIR'"), err.toString());
  }

  @Test
  void aBadSourceFailsWithOneMessage() {
    int code = run("data", "fashion-mnist", "--out", dir.resolve("o").toString(), "--source", dir.resolve("nope").toString());
    assertEquals(1, code);
    assertTrue(err.toString().contains("vvtq data fashion-mnist: error: source folder") && err.toString().contains("nope"),
        err.toString());
  }
}
