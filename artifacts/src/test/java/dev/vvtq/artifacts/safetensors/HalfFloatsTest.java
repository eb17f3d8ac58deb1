package dev.vvtq.artifacts.safetensors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * binary16 and bfloat16 conversions, checked against independent oracles: an exact decoding from
 * the bit fields in double arithmetic, and nearest-value search over every representable value.
 */
class HalfFloatsTest {

  /** Value of a binary16 bit pattern from its fields, in double (exact). */
  private static double f16Oracle(int bits) {
    int sign = (bits >> 15) & 1;
    int exp = (bits >> 10) & 0x1f;
    int mant = bits & 0x3ff;
    double v;
    if (exp == 0) {
      v = mant * Math.pow(2, -24);
    } else if (exp == 31) {
      v = mant == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
    } else {
      v = (1 + mant / 1024.0) * Math.pow(2, exp - 15);
    }
    return sign == 1 ? -v : v;
  }

  /** Round-to-nearest-even binary16 of a finite float by search over all 0x7c00 finite magnitudes. */
  private static int f16NearestOracle(float f) {
    double x = Math.abs((double) f);
    int sign = Float.floatToRawIntBits(f) < 0 ? 0x8000 : 0;
    // Magnitudes 0..0x7bff increase with the bits; 0x7c00 (infinity) acts as 2^16 for rounding.
    int lo = 0;
    int hi = 0x7c00;
    while (hi - lo > 1) {
      int mid = (lo + hi) >>> 1;
      if (f16Oracle(mid) <= x) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    double vLo = f16Oracle(lo);
    double vHi = hi == 0x7c00 ? 65536.0 : f16Oracle(hi);
    if (x >= 65536.0) {
      return sign | 0x7c00;
    }
    double dLo = x - vLo;
    double dHi = vHi - x;
    int pick = dLo < dHi ? lo : dHi < dLo ? hi : ((lo & 1) == 0 ? lo : hi);
    return sign | pick;
  }

  @Test
  void everyF16PatternDecodesExactly() {
    for (int bits = 0; bits < 0x10000; bits++) {
      float f = HalfFloats.f16ToFloat((short) bits);
      double expected = f16Oracle(bits);
      if (Double.isNaN(expected)) {
        assertTrue(Float.isNaN(f), "NaN pattern " + Integer.toHexString(bits));
      } else {
        assertEquals(expected, f, 0.0, "pattern " + Integer.toHexString(bits));
        assertEquals(bits >= 0x8000, Float.floatToRawIntBits(f) < 0, "sign of " + Integer.toHexString(bits));
      }
    }
  }

  @Test
  void everyF16PatternRoundTrips() {
    for (int bits = 0; bits < 0x10000; bits++) {
      short back = HalfFloats.floatToF16(HalfFloats.f16ToFloat((short) bits));
      boolean nan = (bits & 0x7c00) == 0x7c00 && (bits & 0x3ff) != 0;
      if (nan) {
        // NaN stays NaN with its sign and payload; the quiet bit may be set.
        assertEquals(bits | 0x200, (back & 0xffff) | 0x200, Integer.toHexString(bits));
      } else {
        assertEquals(bits, back & 0xffff, Integer.toHexString(bits));
      }
    }
  }

  @Test
  void floatToF16MatchesNearestEvenSearch() {
    Random random = new Random(7);
    for (int i = 0; i < 200_000; i++) {
      // Exponents around the binary16 range, where every rounding branch lives.
      int exp = 127 - 27 + random.nextInt(46);
      int bits = (random.nextBoolean() ? 0x80000000 : 0) | (exp << 23) | random.nextInt(1 << 23);
      float f = Float.intBitsToFloat(bits);
      assertEquals(f16NearestOracle(f), HalfFloats.floatToF16(f) & 0xffff, () -> "float " + f);
    }
  }

  @Test
  void f16EdgeCases() {
    assertEquals(0x0000, HalfFloats.floatToF16(0f) & 0xffff);
    assertEquals(0x8000, HalfFloats.floatToF16(-0f) & 0xffff);
    assertEquals(0x7c00, HalfFloats.floatToF16(Float.POSITIVE_INFINITY) & 0xffff);
    assertEquals(0xfc00, HalfFloats.floatToF16(Float.NEGATIVE_INFINITY) & 0xffff);
    assertTrue(Float.isNaN(HalfFloats.f16ToFloat(HalfFloats.floatToF16(Float.NaN))));
    assertTrue(Float.isNaN(HalfFloats.f16ToFloat(HalfFloats.floatToF16(Float.intBitsToFloat(0x7f800001)))),
        "a NaN whose payload sits below the kept bits must not become infinity");
    // Largest finite, and the overflow boundary: 65519.99 rounds down, 65520 (a tie) to infinity.
    assertEquals(0x7bff, HalfFloats.floatToF16(65504f) & 0xffff);
    assertEquals(0x7bff, HalfFloats.floatToF16(Math.nextDown(65520f)) & 0xffff);
    assertEquals(0x7c00, HalfFloats.floatToF16(65520f) & 0xffff);
    // Subnormals: smallest, largest, and the halfway points below the smallest.
    assertEquals(0x0001, HalfFloats.floatToF16(0x1p-24f) & 0xffff);
    assertEquals(0x03ff, HalfFloats.floatToF16(1023 * 0x1p-24f) & 0xffff);
    assertEquals(0x0000, HalfFloats.floatToF16(0x1p-25f) & 0xffff, "tie at half the smallest goes to even 0");
    assertEquals(0x0001, HalfFloats.floatToF16(Math.nextUp(0x1p-25f)) & 0xffff);
    assertEquals(0x0002, HalfFloats.floatToF16(1.5f * 0x1p-24f) & 0xffff, "tie 1.5 ulp goes to even 2");
    assertEquals(0x0400, HalfFloats.floatToF16(1023.5f * 0x1p-24f) & 0xffff, "rounds up into the normals");
    assertEquals(0x8001, HalfFloats.floatToF16(-0x1p-24f) & 0xffff);
    // Ties between normals: 1 + 2^-11 is halfway between 1 and 1 + 2^-10.
    assertEquals(0x3c00, HalfFloats.floatToF16(1f + 0x1p-11f) & 0xffff);
    assertEquals(0x3c02, HalfFloats.floatToF16(1f + 3 * 0x1p-11f) & 0xffff);
    assertEquals(0x3c01, HalfFloats.floatToF16(Math.nextUp(1f + 0x1p-11f)) & 0xffff);
    // Mantissa carry into the exponent: 2 - 2^-12 rounds to 2.
    assertEquals(0x4000, HalfFloats.floatToF16(2f - 0x1p-12f) & 0xffff);
    // Float subnormals flush to signed zero.
    assertEquals(0x8000, HalfFloats.floatToF16(-Float.MIN_VALUE) & 0xffff);
  }

  @Test
  void bf16IsTheTopHalfOfTheFloat() {
    for (int bits = 0; bits < 0x10000; bits++) {
      float f = HalfFloats.bf16ToFloat((short) bits);
      assertEquals(bits << 16, Float.floatToRawIntBits(f));
      if (!Float.isNaN(f)) {
        assertEquals(bits, HalfFloats.floatToBf16(f) & 0xffff);
      }
    }
  }

  @Test
  void floatToBf16RoundsToNearestEven() {
    Random random = new Random(11);
    for (int i = 0; i < 200_000; i++) {
      int bits = random.nextInt();
      float f = Float.intBitsToFloat(bits);
      if (Float.isNaN(f)) {
        continue;
      }
      int lo = bits & 0xffff0000;
      float vLo = Float.intBitsToFloat(lo);
      float vHi = Float.intBitsToFloat(lo + 0x10000); // may be infinity: correct as the next value
      double dLo = Math.abs((double) f - vLo);
      double dHi = Math.abs((double) vHi - f);
      if (Float.isInfinite(vHi)) {
        // Next bf16 above the largest finite one: a virtual 2^128, halfway at 2^128 - 2^119.
        dHi = Math.abs(Math.scalb(1.0, 128) * Math.signum(f) - f);
      }
      int expected = dLo < dHi ? lo : dHi < dLo ? lo + 0x10000 : ((lo >>> 16) & 1) == 0 ? lo : lo + 0x10000;
      assertEquals(expected >>> 16, HalfFloats.floatToBf16(f) & 0xffff, () -> "float " + f);
    }
  }

  @Test
  void bf16EdgeCases() {
    assertEquals(0x3f80, HalfFloats.floatToBf16(1f) & 0xffff);
    assertEquals(0x3f80, HalfFloats.floatToBf16(Float.intBitsToFloat(0x3f808000)) & 0xffff, "tie to even (down)");
    assertEquals(0x3f82, HalfFloats.floatToBf16(Float.intBitsToFloat(0x3f818000)) & 0xffff, "tie to even (up)");
    assertEquals(0x3f81, HalfFloats.floatToBf16(Float.intBitsToFloat(0x3f808001)) & 0xffff);
    assertEquals(0x7f80, HalfFloats.floatToBf16(Float.MAX_VALUE) & 0xffff, "rounds up to infinity");
    assertEquals(0xff80, HalfFloats.floatToBf16(Float.NEGATIVE_INFINITY) & 0xffff);
    assertEquals(0x0001, HalfFloats.floatToBf16(Float.intBitsToFloat(0x00008001)) & 0xffff, "subnormal rounds up");
    assertEquals(0x8000, HalfFloats.floatToBf16(-0f) & 0xffff);
    float nanLowPayload = Float.intBitsToFloat(0x7f800001);
    assertTrue(Float.isNaN(HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(nanLowPayload))),
        "a NaN with only low payload bits must not become infinity");
    assertTrue(Float.isNaN(HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(Float.intBitsToFloat(0xffffffff)))));
  }
}
