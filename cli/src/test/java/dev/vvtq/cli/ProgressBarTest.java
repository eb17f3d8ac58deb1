package dev.vvtq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressBarTest {
  @Test
  void rendersPercentageRateAndEta() {
    String line = ProgressBar.render("writing", 250, 1000, 5.0);
    assertTrue(line.startsWith("writing [########----------------------]  25% 250/1000 50.0/s ETA 0:15"), line);
    assertTrue(ProgressBar.render("x", 10, 10, 2.0).endsWith("done"));
    assertEquals("1:01:05", ProgressBar.duration(3665));
  }

  @Test
  void withoutTerminalPrintsOneLinePerTenthAndPerPhase() {
    StringWriter text = new StringWriter();
    AtomicLong clock = new AtomicLong();
    try (ProgressBar bar = new ProgressBar(new PrintWriter(text), false, clock::get)) {
      for (int i = 1; i <= 100; i++) {
        clock.addAndGet(10_000_000L);
        bar.progress("train", i, 100);
      }
      bar.progress("val", 5, 10);
    }
    String[] lines = text.toString().split("\n");
    // A line when the phase starts, then one per tenth, then the next phase.
    assertEquals(12, lines.length, text.toString());
    assertTrue(lines[10].contains("100%") && lines[10].contains("101.0/s") && lines[10].endsWith("done"), lines[10]);
    assertTrue(lines[5].contains(" 50% 50/100"), lines[5]);
    assertTrue(lines[11].startsWith("val"), lines[11]);
  }
}
