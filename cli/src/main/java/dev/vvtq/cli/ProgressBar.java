package dev.vvtq.cli;

import dev.vvtq.qat.data.ProgressListener;
import java.io.PrintWriter;
import java.util.function.LongSupplier;

/**
 * A one-line progress bar on stderr: phase, bar, percentage, count, rate and ETA. It redraws at
 * most 5 times a second on a terminal (carriage return); without a terminal (logs, CI) it prints a
 * line every 10%. A new phase starts a new line and a new rate. Thread-safe.
 */
public final class ProgressBar implements ProgressListener, AutoCloseable {
  private static final int WIDTH = 30;
  private static final long REDRAW_NANOS = 200_000_000L;

  private final PrintWriter out;
  private final boolean terminal;
  private final LongSupplier clock;
  private String phase;
  private long phaseStart;
  private long lastDraw;
  private long lastDecile = -1;
  private boolean lineOpen;

  public ProgressBar(PrintWriter out) {
    this(out, System.console() != null, System::nanoTime);
  }

  ProgressBar(PrintWriter out, boolean terminal, LongSupplier clock) {
    this.out = out;
    this.terminal = terminal;
    this.clock = clock;
  }

  @Override
  public synchronized void progress(String phase, long done, long total) {
    long now = clock.getAsLong();
    if (!phase.equals(this.phase)) {
      finishLine();
      this.phase = phase;
      phaseStart = now;
      lastDraw = 0;
      lastDecile = -1;
    }
    double seconds = (now - phaseStart) / 1e9;
    boolean complete = done >= total;
    if (terminal) {
      if (complete || now - lastDraw >= REDRAW_NANOS || lastDraw == 0) {
        out.print("\r" + render(phase, done, total, seconds));
        out.flush();
        lastDraw = now;
        lineOpen = true;
      }
    } else {
      long decile = total > 0 ? done * 10 / total : 10;
      if (decile != lastDecile) {
        out.println(render(phase, done, total, seconds));
        out.flush();
        lastDecile = decile;
      }
    }
  }

  /** The text of one bar. */
  static String render(String phase, long done, long total, double seconds) {
    double fraction = total > 0 ? Math.min(1.0, (double) done / total) : 1.0;
    int filled = (int) Math.round(fraction * WIDTH);
    double rate = seconds > 0 ? done / seconds : 0;
    String eta = done >= total ? "done" : rate > 0 ? "ETA " + duration((total - done) / rate) : "ETA ?";
    return String.format("%s [%s%s] %3d%% %d/%d %.1f/s %s", phase, "#".repeat(filled), "-".repeat(WIDTH - filled),
        (int) Math.floor(fraction * 100), done, total, rate, eta);
  }

  static String duration(double seconds) {
    long s = Math.round(seconds);
    return s >= 3600 ? String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String.format("%d:%02d", s / 60, s % 60);
  }

  private void finishLine() {
    if (lineOpen) {
      out.println();
      out.flush();
      lineOpen = false;
    }
  }

  @Override
  public synchronized void close() {
    finishLine();
  }
}
