package dev.vvtq.artifacts.safetensors;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every malformed file is refused with a message naming the tensor (where there is one) and the problem. */
class SafetensorsMalformedTest {

  private static String t(String name, String dtype, String shape, long begin, long end) {
    return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":["
        + begin + "," + end + "]}";
  }

  /** A file: length prefix, the header padded with spaces to 8 bytes, then that many data bytes. */
  static byte[] file(String header, int dataBytes) {
    return file(header.getBytes(StandardCharsets.UTF_8), dataBytes);
  }

  static byte[] file(byte[] header, int dataBytes) {
    int padded = (header.length + 7) / 8 * 8;
    ByteBuffer b = ByteBuffer.allocate(8 + padded + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(padded).put(header);
    for (int i = header.length; i < padded; i++) {
      b.put((byte) ' ');
    }
    return b.array();
  }

  static byte[] withLength(long declared, int totalBytes) {
    ByteBuffer b = ByteBuffer.allocate(totalBytes).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(declared);
    for (int i = 8; i < totalBytes; i++) {
      b.put((byte) '{');
    }
    return b.array();
  }

  static Stream<Arguments> malformed() {
    String ok = t("a", "F32", "[1]", 0, 4);
    return Stream.of(
        Arguments.of("too short", new byte[5], new String[] {"5 bytes", "shorter than the 8-byte header length"}),
        Arguments.of("zero header length", withLength(0, 16), new String[] {"header length 0 is outside"}),
        Arguments.of("negative header length", withLength(-1, 16), new String[] {"header length -1 is outside"}),
        Arguments.of("header over the limit", withLength(100_000_001L, 16), new String[] {"100000001", "outside [2, 100000000]"}),
        Arguments.of("header past end of file", withLength(64, 40), new String[] {"header length 64 runs past the end of the file (40 bytes)"}),
        Arguments.of("bad UTF-8", file(new byte[] {'{', '"', (byte) 0xff, '"', ':', '1', '}'}, 0), new String[] {"not valid UTF-8"}),
        Arguments.of("not an object", file("[1,2]", 0), new String[] {"does not start with '{'"}),
        Arguments.of("leading space", file(" {}", 0), new String[] {"does not start with '{'"}),
        Arguments.of("truncated JSON", file("{\"a\":{\"dtype\":", 0), new String[] {"not valid JSON"}),
        Arguments.of("text after the object", file("{} {}", 0), new String[] {"not valid JSON"}),
        Arguments.of("garbage after the object", file("{}x", 0), new String[] {"not valid JSON"}),
        Arguments.of("duplicate tensor", file("{" + ok + "," + ok + "}", 4), new String[] {"duplicate key", "'a'"}),
        Arguments.of("duplicate metadata key", file("{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}}", 0), new String[] {"duplicate key", "'k'"}),
        Arguments.of("entry not an object", file("{\"a\":5}", 0), new String[] {"tensor 'a'", "entry is not an object"}),
        Arguments.of("missing dtype", file("{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4), new String[] {"tensor 'a'", "missing or non-string dtype"}),
        Arguments.of("unsupported dtype", file("{" + t("a", "F64", "[1]", 0, 8) + "}", 8), new String[] {"tensor 'a'", "unsupported dtype 'F64'"}),
        Arguments.of("missing shape", file("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4), new String[] {"tensor 'a'", "missing or non-array shape"}),
        Arguments.of("negative dimension", file("{" + t("a", "F32", "[-1]", 0, 4) + "}", 4), new String[] {"tensor 'a'", "shape entry -1"}),
        Arguments.of("fractional dimension", file("{" + t("a", "F32", "[1.0]", 0, 4) + "}", 4), new String[] {"tensor 'a'", "shape entry 1.0"}),
        Arguments.of("string dimension", file("{" + t("a", "F32", "[\"1\"]", 0, 4) + "}", 4), new String[] {"tensor 'a'", "shape entry \"1\""}),
        Arguments.of("one offset", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", 4), new String[] {"tensor 'a'", "data_offsets must be an array [begin, end]"}),
        Arguments.of("negative offset", file("{" + t("a", "F32", "[1]", -4, 0) + "}", 0), new String[] {"tensor 'a'", "data offset -4"}),
        Arguments.of("offset beyond 64 bits", file("{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,99999999999999999999]}}", 1), new String[] {"tensor 'a'", "99999999999999999999"}),
        Arguments.of("end before begin", file("{" + t("a", "F32", "[0]", 4, 0) + "}", 4), new String[] {"tensor 'a'", "end before begin"}),
        Arguments.of("byte length vs shape", file("{" + t("a", "F32", "[3]", 0, 8) + "}", 8), new String[] {"tensor 'a'", "8 data bytes but shape x dtype needs 12"}),
        Arguments.of("element count overflow", file("{" + t("a", "F32", "[4294967296,4294967296,4]", 0, 4) + "}", 4), new String[] {"tensor 'a'", "overflows"}),
        Arguments.of("overlap", file("{" + t("a", "F32", "[2]", 0, 8) + "," + t("b", "F32", "[2]", 4, 12) + "}", 12), new String[] {"tensor 'b'", "overlaps tensor 'a'"}),
        Arguments.of("same range twice", file("{" + t("a", "F32", "[1]", 0, 4) + "," + t("b", "F32", "[1]", 0, 4) + "}", 4), new String[] {"tensor 'b'", "overlaps tensor 'a'"}),
        Arguments.of("gap between tensors", file("{" + t("a", "F32", "[1]", 0, 4) + "," + t("b", "F32", "[1]", 8, 12) + "}", 12), new String[] {"tensor 'b'", "gap of 4 bytes"}),
        Arguments.of("gap before first tensor", file("{" + t("a", "F32", "[1]", 4, 8) + "}", 8), new String[] {"tensor 'a'", "gap of 4 bytes"}),
        Arguments.of("data past end (truncated file)", file("{" + t("a", "F32", "[2]", 0, 8) + "}", 4), new String[] {"tensor 'a'", "data ends at 8, past the data section (4 bytes)"}),
        Arguments.of("trailing bytes", file("{" + ok + "}", 8), new String[] {"4 trailing bytes after the last tensor"}),
        Arguments.of("data but no tensors", file("{}", 3), new String[] {"3 trailing bytes"}),
        Arguments.of("metadata not an object", file("{\"__metadata__\":[\"x\"]}", 0), new String[] {"__metadata__ is not an object"}),
        Arguments.of("metadata value not a string", file("{\"__metadata__\":{\"epoch\":3}}", 0), new String[] {"__metadata__ value of 'epoch' is not a string"}),
        Arguments.of("unknown entry field", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"offsets\":[0,4]}}", 4), new String[] {"tensor 'a'", "unknown field 'offsets'"}),
        Arguments.of("unpaired surrogate in a name", file("{\"\\ud800x\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1), new String[] {"unpaired surrogate"}));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformed")
  void refusedWithAMessageNamingTheProblem(String what, byte[] bytes, String[] expectedParts) {
    SafetensorsFormatException e =
        assertThrows(SafetensorsFormatException.class, () -> SafetensorsReader.fromBytes(bytes, "bad.safetensors"));
    assertTrue(e.getMessage().startsWith("bad.safetensors: "), e.getMessage());
    for (String part : expectedParts) {
      assertTrue(e.getMessage().contains(part), () -> what + ": '" + part + "' not in: " + e.getMessage());
    }
  }

  @Test
  void aMalformedFileOnDiskIsNamedAndClosed(@TempDir Path dir) throws Exception {
    Path p = dir.resolve("broken.safetensors");
    Files.write(p, file("{" + t("w", "F32", "[2]", 0, 8) + "}", 4));
    SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, () -> SafetensorsReader.open(p));
    assertTrue(e.getMessage().startsWith(p.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("tensor 'w'"), e.getMessage());
    Files.delete(p); // the channel was closed, or deletion would still work on Linux but leak
  }

  /**
   * Random corruption (flipped bytes, truncation, junk appended) of a valid file either still reads
   * as a consistent file or fails with SafetensorsFormatException: never another exception.
   */
  @Test
  void randomCorruptionNeverCrashes() {
    byte[] good = SafetensorsFixtureTest.fixture();
    Random random = new Random(20240611);
    int refused = 0;
    for (int round = 0; round < 3000; round++) {
      byte[] bad = mutate(good, random);
      try {
        SafetensorsReader r = SafetensorsReader.fromBytes(bad, "fuzz");
        long covered = 0;
        for (TensorInfo info : r.tensors().values()) {
          covered += r.bytes(info.name()).length;
        }
        // Whatever was accepted is self-consistent: the tensors cover the data section exactly.
        long header = ByteBuffer.wrap(bad).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        if (covered != bad.length - 8 - header) {
          fail("accepted an inconsistent file in round " + round);
        }
      } catch (SafetensorsFormatException expected) {
        refused++;
      } catch (RuntimeException other) {
        throw new AssertionError("round " + round + " crashed with " + other, other);
      }
    }
    assertTrue(refused > 1000, "most corruptions must be caught, caught " + refused);
  }

  private static byte[] mutate(byte[] good, Random random) {
    switch (random.nextInt(3)) {
      case 0 -> {
        byte[] b = good.clone();
        int flips = 1 + random.nextInt(3);
        for (int i = 0; i < flips; i++) {
          b[random.nextInt(b.length)] = (byte) random.nextInt(256);
        }
        return b;
      }
      case 1 -> {
        return Arrays.copyOf(good, random.nextInt(good.length));
      }
      default -> {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(good);
        out.writeBytes(new byte[1 + random.nextInt(9)]);
        return out.toByteArray();
      }
    }
  }
}
