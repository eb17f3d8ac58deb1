package dev.vvtq.cli.report;

import dev.vvtq.qat.train.EpochRecord;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;

/**
 * Draws the training curves of one or more runs into a PNG: train loss, validation top-1, the
 * regulariser weight lambda and the oscillating-weight fraction, per epoch. A float run has no
 * quantizers, so it appears in the first two panels only.
 */
public final class TrainingCurvesPlot {
  private static final Color[] COLOURS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0x9467bd)};
  static final int PANEL_W = 520;
  static final int PANEL_H = 300;
  /** Pixels between a panel's plot area and its right edge. */
  static final int RIGHT_MARGIN = 20;

  private TrainingCurvesPlot() {}

  /** One run's curve: its legend label, its per-epoch history, and whether it trained quantizers. */
  public record Curve(String label, List<EpochRecord> history, boolean quantized) {}

  private record Panel(String title, ToDoubleFunction<EpochRecord> metric, boolean quantizersOnly) {
    /** Whether this panel draws {@code run}: a float run has no lambda or oscillating weights. */
    boolean shows(Curve run) {
      return run.quantized() || !quantizersOnly;
    }
  }

  /** Writes the plot of {@code runs} to {@code file}; each run keeps its colour in every panel. */
  public static void write(List<Curve> runs, Path file) throws IOException {
    System.setProperty("java.awt.headless", "true");
    BufferedImage img = new BufferedImage(2 * PANEL_W, 2 * PANEL_H + 40, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, img.getWidth(), img.getHeight());
    List<Panel> panels = List.of(
        new Panel("train loss", EpochRecord::trainLoss, false),
        new Panel("val top-1 (%)", EpochRecord::valTop1, false),
        new Panel("lambda (bin regulariser)", EpochRecord::lambda, true),
        new Panel("oscillating weights (%)", r -> 100 * r.oscillatingFraction(), true));
    for (int i = 0; i < panels.size(); i++) {
      panel(g, (i % 2) * PANEL_W, (i / 2) * PANEL_H, panels.get(i), runs);
    }
    int x = 20;
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
    for (int c = 0; c < runs.size(); c++) {
      String label = runs.get(c).label() + (runs.get(c).quantized() ? "" : " (float: loss and top-1 only)");
      g.setColor(colour(c));
      g.fillRect(x, 2 * PANEL_H + 14, 24, 4);
      g.setColor(Color.BLACK);
      g.drawString(label, x + 30, 2 * PANEL_H + 21);
      x += 40 + g.getFontMetrics().stringWidth(label);
    }
    g.dispose();
    Path parent = file.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    ImageIO.write(img, "png", file.toFile());
  }

  /** The colour of the {@code index}-th run. */
  static Color colour(int index) {
    return COLOURS[index % COLOURS.length];
  }

  private static void panel(Graphics2D g, int ox, int oy, Panel panel, List<Curve> runs) {
    ToDoubleFunction<EpochRecord> metric = panel.metric();
    int left = ox + 60;
    int right = ox + PANEL_W - RIGHT_MARGIN;
    int top = oy + 30;
    int bottom = oy + PANEL_H - 40;
    double maxEpoch = 1;
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (Curve run : runs) {
      // A panel's epoch axis spans the runs it draws: a long float run would squeeze the QAT curves.
      if (!panel.shows(run)) {
        continue;
      }
      for (EpochRecord r : run.history()) {
        maxEpoch = Math.max(maxEpoch, r.epochsDone());
        double v = metric.applyAsDouble(r);
        if (Double.isFinite(v)) {
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        }
      }
    }
    if (!Double.isFinite(lo)) {
      lo = 0;
      hi = 1;
    }
    if (hi - lo < 1e-9) {
      hi = lo + Math.max(1e-3, Math.abs(lo) * 0.1);
    }
    double pad = (hi - lo) * 0.08;
    // Quantities that cannot be negative keep 0 as their floor.
    lo = lo >= 0 ? Math.max(0, lo - pad) : lo - pad;
    hi += pad;
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
    g.drawString(panel.title(), left, oy + 20);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    g.setColor(new Color(0xdddddd));
    for (int t = 0; t <= 4; t++) {
      int y = bottom - (bottom - top) * t / 4;
      g.drawLine(left, y, right, y);
    }
    g.setColor(Color.BLACK);
    g.drawRect(left, top, right - left, bottom - top);
    for (int t = 0; t <= 4; t++) {
      double v = lo + (hi - lo) * t / 4;
      int y = bottom - (bottom - top) * t / 4;
      g.drawString(String.format(Locale.ROOT, Math.abs(hi) < 0.1 ? "%.4f" : "%.2f", v), ox + 5, y + 4);
    }
    int tick = (int) Math.max(1, Math.ceil(maxEpoch / 8));
    for (int e = 0; e <= maxEpoch; e += tick) {
      int x = left + (int) ((right - left) * e / maxEpoch);
      g.drawString(Integer.toString(e), x - 4, bottom + 15);
    }
    g.drawString("epoch", (left + right) / 2 - 15, bottom + 30);
    for (int c = 0; c < runs.size(); c++) {
      Curve run = runs.get(c);
      if (!panel.shows(run)) {
        continue;
      }
      g.setColor(colour(c));
      g.setStroke(new BasicStroke(2f));
      List<int[]> pts = new ArrayList<>();
      for (EpochRecord r : run.history()) {
        double v = metric.applyAsDouble(r);
        if (!Double.isFinite(v)) {
          continue;
        }
        int x = left + (int) ((right - left) * r.epochsDone() / maxEpoch);
        int y = bottom - (int) ((bottom - top) * (v - lo) / (hi - lo));
        pts.add(new int[] {x, y});
      }
      for (int k = 0; k < pts.size(); k++) {
        int[] p = pts.get(k);
        g.fillOval(p[0] - 3, p[1] - 3, 6, 6);
        if (k > 0) {
          int[] q = pts.get(k - 1);
          g.drawLine(q[0], q[1], p[0], p[1]);
        }
      }
    }
  }
}
