package dev.vvtq.engineeval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class LogitAgreementTest {
  @Test
  void measuresTheWorstImageRelativeToItsOwnRange() {
    LogitAgreement a = new LogitAgreement(3);
    float[] reference = {0, 1, 2, /* */ 0, 10, 5};
    float[] candidate = {0, 1.001f, 2, /* */ 0, 9.9f, 10.2f};
    a.add(reference, candidate, 2, new int[] {2, 1});
    assertEquals(2, a.images());
    // image 0: 0.001 of a range of 2; image 1: 5.2 of a range of 10
    assertEquals(0.52, a.worstRelativeDiff(), 1e-6);
    assertEquals(1, a.worstImage());
    assertEquals(5.2, a.worstAbsoluteDiff(), 1e-6);
    assertEquals(1, a.top1Agreements());
    assertEquals(50.0, a.top1AgreementPercent(), 1e-9);
    assertEquals(100.0, a.referenceTop1(), 1e-9);
    assertEquals(50.0, a.candidateTop1(), 1e-9);
  }

  @Test
  void oneImageFiguresMatchTheAccumulatedOnes() {
    float[] reference = {0, 10, 5};
    float[] candidate = {0, 9.9f, 10.2f};
    assertEquals(0.52, LogitAgreement.relativeDiff(reference, candidate), 1e-6);
    assertEquals(1, LogitAgreement.argmax(reference));
    assertEquals(2, LogitAgreement.argmax(candidate));
    assertEquals(0, LogitAgreement.argmax(new float[] {3, 3, 1}), "the first on a tie");
  }
}
