package dev.vvtq.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code vvtq train} on a tiny seeded ImageFolder: a run id already in the store is never overwritten. */
class TrainCommandTest {
  @TempDir static Path dir;
  static Path data;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @BeforeAll
  static void makeData() throws Exception {
    data = dir.resolve("data");
    PipelineCommandTest.images(data.resolve("train"), 2, 1);
    PipelineCommandTest.images(data.resolve("val"), 1, 2);
  }

  private int train(Path store, String... extra) {
    List<String> args = new ArrayList<>(List.of("train", "--model", "deit_pico_patch4_16", "--data", data.toString(),
        "--store", store.toString(), "--batch-size", "4", "--warmup-epochs", "0", "--seed", "0", "-j", "1",
        "--work-dir", dir.toString()));
    args.addAll(List.of(extra));
    CommandLine cl = Main.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args.toArray(String[]::new));
  }

  @Test
  void aFreshRunUnderAnExistingIdIsRefusedAndTheRunIsKept() throws Exception {
    Path store = dir.resolve("store-refuse");
    assertEquals(0, train(store, "--epochs", "1", "--run-id", "first"), err.toString());
    Path record = store.resolve("runs/first/run.json");
    byte[] before = Files.readAllBytes(record);

    assertEquals(1, train(store, "--epochs", "2", "--run-id", "first"), out.toString());
    assertTrue(err.toString().contains("run 'first' already exists"), err.toString());
    assertTrue(err.toString().contains("--resume runs/first"), err.toString());
    assertArrayEquals(before, Files.readAllBytes(record), "the existing run's record is untouched");
  }

  @Test
  void resumingTheRunItselfUnderItsIdStillWorks() throws Exception {
    Path store = dir.resolve("store-resume");
    assertEquals(0, train(store, "--epochs", "1", "--run-id", "again"), err.toString());
    assertEquals(0, train(store, "--epochs", "2", "--run-id", "again", "--resume", "runs/again"), err.toString());
    assertTrue(out.toString().contains("resumed runs/again at epoch 1"), out.toString());

    // Resumed with nothing left to train, the run still reports (and records) its latest checkpoint.
    out.getBuffer().setLength(0);
    assertEquals(0, train(store, "--epochs", "2", "--resume", "runs/again"), err.toString());
    assertTrue(out.toString().contains("last checkpoint runs/again/checkpoints/6"), out.toString());
    assertTrue(Files.readString(store.resolve("runs/again/run.json")).contains("runs/again/checkpoints/6"));
  }
}
