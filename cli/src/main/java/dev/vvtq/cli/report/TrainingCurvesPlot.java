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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;

/**
 * Draws the training curves of one or more runs into a PNG: train loss, validation top-1, the
 * regulariser weight lambda and the oscillating-weight fraction, per epoch.
 */
public final class TrainingCurvesPlot {
  private static final Color[] COLOURS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0x9467bd)};
  private static final int PANEL_W = 520;
  private static final int PANEL_H = 300;

  private TrainingCurvesPlot() {}

  /** Writes the plot of {@code runs} (label to history) to {@code file}. */
  public static void write(Map<String, List<EpochRecord>> runs, Path file) throws IOException {
    System.setProperty("java.awt.headless", "true");
    BufferedImage img = new BufferedImage(2 * PANEL_W, 2 * PANEL_H + 40, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, img.getWidth(), img.getHeight());
    Map<String, ToDoubleFunction<EpochRecord>> panels = new LinkedHashMap<>();
    panels.put("train loss", EpochRecord::trainLoss);
    panels.put("val top-1 (%)", EpochRecord::valTop1);
    panels.put("lambda (bin regulariser)", EpochRecord::lambda);
    panels.put("oscillating weights (%)", r -> 100 * r.oscillatingFraction());
    int i = 0;
    for (Map.Entry<String, ToDoubleFunction<EpochRecord>> p : panels.entrySet()) {
      panel(g, (i % 2) * PANEL_W, (i / 2) * PANEL_H, p.getKey(), runs, p.getValue());
      i++;
    }
    int x = 20;
    int c = 0;
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
    for (String label : runs.keySet()) {
      g.setColor(COLOURS[c++ % COLOURS.length]);
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

  private static void panel(Graphics2D g, int ox, int oy, String title, Map<String, List<EpochRecord>> runs,
      ToDoubleFunction<EpochRecord> metric) {
    int left = ox + 60;
    int right = ox + PANEL_W - 20;
    int top = oy + 30;
    int bottom = oy + PANEL_H - 40;
    double maxEpoch = 1;
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (List<EpochRecord> h : runs.values()) {
      for (EpochRecord r : h) {
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
    g.drawString(title, left, oy + 20);
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
    int c = 0;
    for (List<EpochRecord> h : runs.values()) {
      g.setColor(COLOURS[c++ % COLOURS.length]);
      g.setStroke(new BasicStroke(2f));
      List<int[]> pts = new ArrayList<>();
      for (EpochRecord r : h) {
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
