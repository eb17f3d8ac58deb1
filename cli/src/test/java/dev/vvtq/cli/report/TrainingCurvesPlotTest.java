package dev.vvtq.cli.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vvtq.qat.train.EpochRecord;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingCurvesPlotTest {

  private static List<EpochRecord> history(int epochs, double lambdaStep, double oscillating) {
    List<EpochRecord> h = new ArrayList<>();
    for (int e = 0; e < epochs; e++) {
      h.add(new EpochRecord(e, 1, 100L * (e + 1), 1.0 / (e + 1), 0, 0, 80 + e, 99, 80 + e, 99, 0.5, 1e-3,
          lambdaStep * e, oscillating / (e + 1), 500, 60, null));
    }
    return h;
  }

  /** Pixels of exactly {@code rgb} in the rows [top, bottom) of the image. */
  private static int count(BufferedImage img, int rgb, int top, int bottom) {
    int n = 0;
    for (int y = top; y < bottom; y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        n += (img.getRGB(x, y) & 0xffffff) == rgb ? 1 : 0;
      }
    }
    return n;
  }

  @Test
  void theFloatRunIsDrawnInTheLossAndTopOnePanelsOnly(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("plots/curves.png");
    TrainingCurvesPlot.write(List.of(
        new TrainingCurvesPlot.Curve("FP32 teacher", history(6, 0, 0), false),
        new TrainingCurvesPlot.Curve("W4A4", history(3, 0.5, 0.04), true)), file);

    BufferedImage img = ImageIO.read(file.toFile());
    int h = TrainingCurvesPlot.PANEL_H;
    assertEquals(2 * TrainingCurvesPlot.PANEL_W, img.getWidth());
    int fp = TrainingCurvesPlot.colour(0).getRGB() & 0xffffff;
    int q = TrainingCurvesPlot.colour(1).getRGB() & 0xffffff;
    assertTrue(count(img, fp, 0, h) > 50, "the float run's loss and top-1 curves are drawn");
    assertEquals(0, count(img, fp, h, 2 * h), "no float curve in the lambda and oscillation panels");
    assertTrue(count(img, q, 0, h) > 50, "the quantized run's loss and top-1 curves are drawn");
    assertTrue(count(img, q, h, 2 * h) > 50, "the quantized run's lambda and oscillation curves are drawn");
    // The float run is twice as long, but the lambda panel's axis ends with the QAT run's last epoch.
    int plotRight = TrainingCurvesPlot.PANEL_W - TrainingCurvesPlot.RIGHT_MARGIN;
    assertTrue(rightmost(img, q, h, 2 * h, TrainingCurvesPlot.PANEL_W) >= plotRight - 4,
        "the QAT curve reaches the right edge of the lambda panel");
  }

  private static int rightmost(BufferedImage img, int rgb, int top, int bottom, int width) {
    int right = -1;
    for (int y = top; y < bottom; y++) {
      for (int x = 0; x < width; x++) {
        if ((img.getRGB(x, y) & 0xffffff) == rgb) {
          right = Math.max(right, x);
        }
      }
    }
    return right;
  }
}
