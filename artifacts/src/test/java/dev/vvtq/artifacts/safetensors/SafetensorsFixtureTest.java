package dev.vvtq.artifacts.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file assembled by hand from the published format (8-byte little-endian header length, compact
 * JSON header padded with spaces to 8 bytes, then the tensors back to back in the reference
 * serializer's order), read back and reproduced byte for byte by the writer.
 */
class SafetensorsFixtureTest {
  // Reference order: dtype descending in the reference enum (I64 > F32 > I32 > BF16 > F16 > I16 >
  // I8 > U8), then name; __metadata__ first.
  static final String HEADER =
      "{\"__metadata__\":{\"format\":\"pt\"},"
          + "\"ids\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,16]},"
          + "\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[16,24]},"
          + "\"z\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[24,24]},"
          + "\"n\":{\"dtype\":\"I32\",\"shape\":[],\"data_offsets\":[24,28]},"
          + "\"bf\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[28,32]},"
          + "\"h\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[32,38]},"
          + "\"s\":{\"dtype\":\"I16\",\"shape\":[1],\"data_offsets\":[38,40]},"
          + "\"q\":{\"dtype\":\"I8\",\"shape\":[2],\"data_offsets\":[40,42]},"
          + "\"m\":{\"dtype\":\"U8\",\"shape\":[2,1],\"data_offsets\":[42,44]}}";

  static final String DATA_HEX =
      "0100000000000000" + "feffffffffffffff" // ids: I64 1, -2
          + "0000803f" + "000020c0" // w: F32 1.0, -2.5
          + "07000000" // n: I32 7
          + "803f" + "00c0" // bf: BF16 1.0, -2.0
          + "003c" + "ff7b" + "0100" // h: F16 1.0, 65504, 2^-24
          + "d4fe" // s: I16 -300
          + "ff05" // q: I8 -1, 5
          + "c800"; // m: U8 200, 0

  static byte[] fixture() {
    assertEquals(529, HEADER.length(), "hand-counted header length");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    // 529 header bytes + 7 spaces = 536 = 0x218.
    out.writeBytes(HexFormat.of().parseHex("1802000000000000"));
    out.writeBytes(HEADER.getBytes(StandardCharsets.US_ASCII));
    out.writeBytes("       ".getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(HexFormat.of().parseHex(DATA_HEX));
    return out.toByteArray();
  }

  /** The fixture's tensors, added in an order unrelated to the file's. */
  static SafetensorsWriter fixtureWriter() {
    return new SafetensorsWriter()
        .addU8("m", new long[] {2, 1}, new byte[] {(byte) 200, 0})
        .addF16("h", new long[] {3}, new float[] {1f, 65504f, 0x1p-24f})
        .addF32("z", new long[] {0}, new float[0])
        .addI8("q", new long[] {2}, new byte[] {-1, 5})
        .putMetadata("format", "pt")
        .addI32("n", new long[] {}, new int[] {7})
        .addBF16("bf", new long[] {2}, new float[] {1f, -2f})
        .addI16("s", new long[] {1}, new short[] {-300})
        .addF32("w", new long[] {2}, new float[] {1f, -2.5f})
        .addI64("ids", new long[] {2}, new long[] {1, -2});
  }

  @Test
  void readsEveryDtypeOfTheFixture() {
    SafetensorsReader r = SafetensorsReader.fromBytes(fixture(), "fixture");
    assertEquals(Map.of("format", "pt"), r.metadata());
    assertTrue(r.hasMetadata());
    assertEquals(
        List.of("ids", "w", "z", "n", "bf", "h", "s", "q", "m"), List.copyOf(r.tensors().keySet()));
    assertArrayEquals(new long[] {1, -2}, r.longs("ids"));
    assertArrayEquals(new float[] {1f, -2.5f}, r.floats("w"));
    assertArrayEquals(new float[0], r.floats("z"));
    assertArrayEquals(new long[0], r.info("n").shape());
    assertEquals(1, r.info("n").numel());
    assertArrayEquals(new int[] {7}, r.ints("n"));
    assertArrayEquals(new float[] {1f, -2f}, r.floats("bf"));
    assertArrayEquals(new float[] {1f, 65504f, 0x1p-24f}, r.floats("h"));
    assertArrayEquals(new long[] {-300}, r.longs("s"));
    assertArrayEquals(new long[] {-1, 5}, r.longs("q"));
    assertArrayEquals(new long[] {200, 0}, r.longs("m"));
    assertArrayEquals(new long[] {2, 1}, r.info("m").shape());
    assertEquals(new TensorInfo("h", DType.F16, new long[] {3}, 32, 38), r.info("h"));
  }

  @Test
  void writerReproducesTheFixtureByteForByte() {
    assertArrayEquals(fixture(), fixtureWriter().toByteArray());
  }

  @Test
  void readThenWriteIsByteIdentical() {
    byte[] original = fixture();
    SafetensorsReader r = SafetensorsReader.fromBytes(original, "fixture");
    assertArrayEquals(original, SafetensorsWriter.copyOf(r).toByteArray());
  }

  @Test
  void memoryMappedReadOfAFileOnDisk(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("model.safetensors");
    Files.write(file, fixture());
    try (SafetensorsReader r = SafetensorsReader.open(file)) {
      assertEquals(file.toString(), r.source());
      ByteBuffer view = r.data("w");
      assertTrue(view.isReadOnly());
      assertTrue(view.isDirect(), "tensor views come straight from the mapping");
      assertEquals(-2.5f, view.getFloat(4));
      assertArrayEquals(new long[] {1, -2}, r.longs("ids"));
      Path copy = dir.resolve("copy.safetensors");
      SafetensorsWriter.copyOf(r).writeTo(copy);
      assertArrayEquals(fixture(), Files.readAllBytes(copy));
    }
    try (var files = Files.list(dir)) {
      assertEquals(2, files.count(), "no staging file left beside the written copy");
    }
  }

  @Test
  void largerFileOnDiskKeepsEveryValue(@TempDir Path dir) throws Exception {
    int n = 1 << 20;
    float[] values = new float[n];
    for (int i = 0; i < n; i++) {
      values[i] = i * 0.5f - 7f;
    }
    Path file = dir.resolve("big.safetensors");
    new SafetensorsWriter()
        .addF32("blocks.0.attn.qkv.weight", new long[] {1024, 1024}, values)
        .addI8("blocks.0.attn.qkv.codes", new long[] {3}, new byte[] {-8, 0, 7})
        .writeTo(file);
    try (SafetensorsReader r = SafetensorsReader.open(file)) {
      assertArrayEquals(values, r.floats("blocks.0.attn.qkv.weight"));
      assertArrayEquals(new long[] {-8, 0, 7}, r.longs("blocks.0.attn.qkv.codes"));
    }
  }

  @Test
  void emptyFileAndMetadataOnlyFile() {
    byte[] empty = new SafetensorsWriter().toByteArray();
    assertArrayEquals(
        concat(HexFormat.of().parseHex("0800000000000000"), "{}      ".getBytes(StandardCharsets.US_ASCII)),
        empty);
    SafetensorsReader r = SafetensorsReader.fromBytes(empty, "empty");
    assertTrue(r.tensors().isEmpty());
    assertFalse(r.hasMetadata());

    // An empty metadata map is written as an empty object, as the reference does with metadata={}.
    byte[] emptyMeta = new SafetensorsWriter().putMetadata(Map.of()).toByteArray();
    String header = "{\"__metadata__\":{}}"; // 19 bytes + 5 spaces = 24
    assertArrayEquals(
        concat(HexFormat.of().parseHex("1800000000000000"), (header + "     ").getBytes(StandardCharsets.US_ASCII)),
        emptyMeta);
    SafetensorsReader m = SafetensorsReader.fromBytes(emptyMeta, "empty-meta");
    assertTrue(m.hasMetadata());
    assertArrayEquals(emptyMeta, SafetensorsWriter.copyOf(m).toByteArray());
  }

  @Test
  void headerEndingOnAnEightByteBoundaryGetsNoPadding() {
    // With a four-letter name the header is exactly 56 bytes.
    byte[] bytes = new SafetensorsWriter().addU8("abcd", new long[] {1}, new byte[] {9}).toByteArray();
    String header = "{\"abcd\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}";
    assertEquals(56, header.length());
    assertArrayEquals(
        concat(HexFormat.of().parseHex("3800000000000000"), header.getBytes(StandardCharsets.US_ASCII), new byte[] {9}),
        bytes);
  }

  @Test
  void namesAreEscapedAndOrderedByCodePointLikeTheReference() {
    String fullwidth = "\uff61"; // U+FF61, UTF-8 EF BD A1
    String emoji = "\ud83d\ude00"; // U+1F600, UTF-8 F0 9F 98 80: after U+FF61 as bytes, before it as UTF-16
    String quoted = "q\"\\\n\u0001";
    byte[] bytes =
        new SafetensorsWriter()
            .addU8(emoji, new long[] {1}, new byte[] {1})
            .addU8(fullwidth, new long[] {1}, new byte[] {2})
            .addU8(quoted, new long[] {1}, new byte[] {3})
            .toByteArray();
    String header =
        "{\"q\\\"\\\\\\n\\u0001\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},"
            + "\"" + fullwidth + "\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,2]},"
            + "\"" + emoji + "\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[2,3]}}";
    byte[] headerBytes = header.getBytes(StandardCharsets.UTF_8);
    int padded = (headerBytes.length + 7) / 8 * 8;
    assertEquals(padded, ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(0));
    assertEquals(header, new String(bytes, 8, headerBytes.length, StandardCharsets.UTF_8));
    SafetensorsReader r = SafetensorsReader.fromBytes(bytes, "unicode");
    assertArrayEquals(new long[] {3}, r.longs(quoted));
    assertArrayEquals(new long[] {1}, r.longs(emoji));
    assertArrayEquals(bytes, SafetensorsWriter.copyOf(r).toByteArray());
  }

  @Test
  void metadataKeepsTheFileOrderOnRoundTrip() {
    // The reference keeps metadata in a hash map, so its order varies between files; a copy must
    // keep whatever order the file has.
    String header =
        "{\"__metadata__\":{\"zeta\":\"1\",\"alpha\":\"2\"},\"t\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}";
    byte[] h = header.getBytes(StandardCharsets.US_ASCII);
    int padded = (h.length + 7) / 8 * 8;
    byte[] file = new byte[8 + padded + 1];
    ByteBuffer.wrap(file).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(padded);
    System.arraycopy(h, 0, file, 8, h.length);
    java.util.Arrays.fill(file, 8 + h.length, 8 + padded, (byte) ' ');
    file[file.length - 1] = 42;
    SafetensorsReader r = SafetensorsReader.fromBytes(file, "meta-order");
    assertEquals(List.of("zeta", "alpha"), List.copyOf(r.metadata().keySet()));
    assertArrayEquals(file, SafetensorsWriter.copyOf(r).toByteArray());
  }

  @Test
  void writerRefusesBadInput() {
    SafetensorsWriter w = new SafetensorsWriter();
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> w.add("t", DType.F32, new long[] {3}, new byte[8]));
    assertTrue(e.getMessage().contains("'t'") && e.getMessage().contains("needs 12"), e.getMessage());
    w.addU8("t", new long[] {1}, new byte[1]);
    e = assertThrows(IllegalArgumentException.class, () -> w.addU8("t", new long[] {1}, new byte[1]));
    assertTrue(e.getMessage().contains("added twice"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> w.addU8("__metadata__", new long[] {1}, new byte[1]));
    e = assertThrows(IllegalArgumentException.class, () -> w.addU8("bad\ud800", new long[] {1}, new byte[1]));
    assertTrue(e.getMessage().contains("unpaired surrogate"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> w.addU8("neg", new long[] {-1}, new byte[0]));
  }

  @Test
  void accessorsRefuseTheWrongType() {
    SafetensorsReader r = SafetensorsReader.fromBytes(fixture(), "fixture");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> r.floats("ids"));
    assertTrue(e.getMessage().contains("'ids' is I64"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> r.longs("z"));
    assertTrue(e.getMessage().contains("'z' is F32"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> r.info("missing"));
    assertTrue(e.getMessage().contains("no tensor named 'missing'"), e.getMessage());
    byte[] big = new SafetensorsWriter().addI64("big", new long[] {1}, new long[] {1L << 40}).toByteArray();
    ArithmeticException a =
        assertThrows(ArithmeticException.class, () -> SafetensorsReader.fromBytes(big, "big").ints("big"));
    assertTrue(a.getMessage().contains("'big'"), a.getMessage());
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
