package dev.vvtq.engineeval;

import static org.junit.jupiter.api.Assertions.fail;

import dev.vvtq.engine.model.ExportedModel;
import dev.vvtq.engine.testing.ReferenceDeit;
import dev.vvtq.engine.testing.SyntheticModel;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/**
 * Checks engine logits against DJL fake-quant logits of the same images: per image, max |diff| <=
 * {@link #TOLERANCE} x (DJL's logit range) and the same top-1 class.
 *
 * <p>Both sides compute in float32, in different orders (DJL multiplies dequantized floats, the engine
 * sums exact integers and scales once), so a quantizer input that lies within float rounding of a
 * half-integer may round one way in DJL and the other in the engine: one activation then differs by one
 * step, and deeper layers carry the difference on. Such an image is accepted only when the
 * double-precision reference of docs/EXPORT-FORMAT.md (int-engine's {@link ReferenceDeit}, independent
 * of both) finds a quantizer input within {@link #TIE} (relative) of a rounding boundary on it, and one
 * of the two sides matches that reference within the tolerance. A real discrepancy (a wrong step, a
 * wrong layout, a wrong preprocessing) shows on images without ties too and fails.
 */
final class TieAwareAgreement {
  /** Per image: max |engine - DJL| <= TOLERANCE x (max DJL logit - min DJL logit). */
  static final double TOLERANCE = 1e-3;
  /** Relative distance to a rounding boundary within which float32 may round either way. */
  static final double TIE = 1e-5;

  private TieAwareAgreement() {}

  /** Number of images excused by a near-tie; fails on any other disagreement. */
  static int check(String what, ExportedModel exported, float[] images, int count, float[] djl, float[] engine) {
    int k = exported.config().numClasses();
    int per = exported.config().imageFloats();
    ReferenceDeit reference = null;
    int excused = 0;
    StringBuilder report = new StringBuilder();
    for (int i = 0; i < count; i++) {
      float[] d = Arrays.copyOfRange(djl, i * k, (i + 1) * k);
      float[] e = Arrays.copyOfRange(engine, i * k, (i + 1) * k);
      if (agrees(d, e)) {
        continue;
      }
      if (reference == null) {
        reference = new ReferenceDeit(SyntheticModel.of(exported));
      }
      reference.countingNearTies(TIE);
      double[] exact = reference.logits(Arrays.copyOfRange(images, i * per, (i + 1) * per));
      float[] r = new float[k];
      for (int j = 0; j < k; j++) {
        r[j] = (float) exact[j];
      }
      Map<String, Integer> ties = reference.nearTies();
      String line = String.format(Locale.ROOT, "%s image %d: DJL vs engine %.3g of the range (top-1 %d vs %d);"
          + " exact reference vs DJL %.3g, vs engine %.3g; quantizer inputs near a rounding boundary: %s", what, i,
          LogitAgreement.relativeDiff(d, e), LogitAgreement.argmax(d), LogitAgreement.argmax(e),
          LogitAgreement.relativeDiff(r, d), LogitAgreement.relativeDiff(r, e), ties);
      System.out.println(line);
      if (ties.isEmpty() || !(agrees(r, d) || agrees(r, e))) {
        report.append(line).append('\n');
      } else {
        excused++;
      }
    }
    if (report.length() > 0) {
      fail("the engine and DJL fake-quant disagree beyond float rounding at a tie:\n" + report);
    }
    return excused;
  }

  static boolean agrees(float[] reference, float[] other) {
    return LogitAgreement.relativeDiff(reference, other) <= TOLERANCE
        && LogitAgreement.argmax(reference) == LogitAgreement.argmax(other);
  }
}
