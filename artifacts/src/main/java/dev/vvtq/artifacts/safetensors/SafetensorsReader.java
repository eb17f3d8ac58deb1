package dev.vvtq.artifacts.safetensors;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a safetensors file: memory-mapped data, a strictly validated header. Every malformed input
 * raises {@link SafetensorsFormatException} naming the source, the tensor and the problem.
 */
public final class SafetensorsReader implements AutoCloseable {
  /** Largest header accepted, as in the reference implementation (100 MB). */
  public static final long MAX_HEADER_BYTES = 100_000_000L;

  // Duplicate keys would otherwise silently keep the last entry, and text after the closing brace
  // would be ignored; the reference parser rejects both.
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private final String source;
  private final boolean hasMetadata;
  private final Map<String, String> metadata;
  private final Map<String, TensorInfo> tensors;
  private final FileChannel channel;
  private final long dataStart;
  private final ByteBuffer whole;

  private SafetensorsReader(String source, FileChannel channel, ByteBuffer whole, long size)
      throws IOException {
    this.source = source;
    this.channel = channel;
    this.whole = whole;
    if (size < 8) {
      throw fail("file is " + size + " bytes, shorter than the 8-byte header length");
    }
    ByteBuffer lenBuf = read(0, 8);
    long headerLen = lenBuf.order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    if (headerLen < 2 || headerLen > MAX_HEADER_BYTES) {
      throw fail("header length " + headerLen + " is outside [2, " + MAX_HEADER_BYTES + "]");
    }
    if (8 + headerLen > size) {
      throw fail("header length " + headerLen + " runs past the end of the file (" + size + " bytes)");
    }
    this.dataStart = 8 + headerLen;
    ByteBuffer headerBytes = read(8, (int) headerLen);
    String header;
    try {
      header =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(headerBytes)
              .toString();
    } catch (CharacterCodingException e) {
      throw fail("header is not valid UTF-8");
    }
    if (!header.startsWith("{")) {
      throw fail("header does not start with '{'");
    }
    JsonNode root;
    try {
      root = JSON.readTree(header);
    } catch (JsonProcessingException e) {
      String why = e.getOriginalMessage();
      if (why != null && why.startsWith("Duplicate field")) {
        throw fail("header has a duplicate key: " + why);
      }
      throw fail("header is not valid JSON: " + why);
    }
    if (root == null || !root.isObject()) {
      throw fail("header is not a JSON object");
    }
    Map<String, String> meta = new LinkedHashMap<>();
    Map<String, TensorInfo> infos = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : root.properties()) {
      if (e.getKey().equals("__metadata__")) {
        if (!e.getValue().isObject()) {
          throw fail("__metadata__ is not an object of strings");
        }
        for (Map.Entry<String, JsonNode> kv : e.getValue().properties()) {
          if (!kv.getValue().isTextual()) {
            throw fail("__metadata__ value of '" + kv.getKey() + "' is not a string");
          }
          if (!isWellFormed(kv.getKey()) || !isWellFormed(kv.getValue().asText())) {
            throw fail("__metadata__ entry " + JSON.valueToTree(kv.getKey()) + " has an unpaired surrogate");
          }
          meta.put(kv.getKey(), kv.getValue().asText());
        }
      } else {
        if (!isWellFormed(e.getKey())) {
          throw fail("tensor name " + JSON.valueToTree(e.getKey()) + " has an unpaired surrogate");
        }
        infos.put(e.getKey(), parseEntry(e.getKey(), e.getValue()));
      }
    }
    validateLayout(infos, size - dataStart);
    this.hasMetadata = root.has("__metadata__");
    this.metadata = Collections.unmodifiableMap(meta);
    this.tensors = Collections.unmodifiableMap(infos);
  }

  /** Opens and validates a file; the data stays memory-mapped until {@link #close()}. */
  public static SafetensorsReader open(Path path) throws IOException {
    FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
    try {
      long size = ch.size();
      ByteBuffer whole =
          size <= Integer.MAX_VALUE ? ch.map(FileChannel.MapMode.READ_ONLY, 0, size) : null;
      return new SafetensorsReader(path.toString(), ch, whole, size);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  /** Validates and reads a file held in memory. */
  public static SafetensorsReader fromBytes(byte[] bytes, String sourceName) {
    try {
      return new SafetensorsReader(sourceName, null, ByteBuffer.wrap(bytes), bytes.length);
    } catch (IOException e) {
      throw new IllegalStateException("unreachable: in-memory read failed", e);
    }
  }

  /** False for strings with an unpaired UTF-16 surrogate (JSON escapes can spell one; UTF-8 cannot). */
  static boolean isWellFormed(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 == s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
          return false;
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  private TensorInfo parseEntry(String name, JsonNode node) {
    if (!node.isObject()) {
      throw fail("tensor '" + name + "': entry is not an object");
    }
    for (Iterator<String> f = node.fieldNames(); f.hasNext(); ) {
      String field = f.next();
      // The reference ignores unknown fields; refusing them catches misspelt offsets early.
      if (!field.equals("dtype") && !field.equals("shape") && !field.equals("data_offsets")) {
        throw fail("tensor '" + name + "': unknown field '" + field + "'");
      }
    }
    JsonNode dt = node.get("dtype");
    if (dt == null || !dt.isTextual()) {
      throw fail("tensor '" + name + "': missing or non-string dtype");
    }
    DType dtype;
    try {
      dtype = DType.parse(dt.asText());
    } catch (IllegalArgumentException e) {
      throw fail("tensor '" + name + "': " + e.getMessage());
    }
    JsonNode sh = node.get("shape");
    if (sh == null || !sh.isArray()) {
      throw fail("tensor '" + name + "': missing or non-array shape");
    }
    long[] shape = new long[sh.size()];
    for (int i = 0; i < shape.length; i++) {
      JsonNode d = sh.get(i);
      if (!d.isIntegralNumber() || !d.canConvertToLong() || d.asLong() < 0) {
        throw fail("tensor '" + name + "': shape entry " + d + " is not a non-negative integer");
      }
      shape[i] = d.asLong();
    }
    JsonNode off = node.get("data_offsets");
    if (off == null || !off.isArray() || off.size() != 2) {
      throw fail("tensor '" + name + "': data_offsets must be an array [begin, end]");
    }
    for (JsonNode o : off) {
      if (!o.isIntegralNumber() || !o.canConvertToLong() || o.asLong() < 0) {
        throw fail("tensor '" + name + "': data offset " + o + " is not a non-negative integer");
      }
    }
    long begin = off.get(0).asLong();
    long end = off.get(1).asLong();
    if (end < begin) {
      throw fail("tensor '" + name + "': data_offsets [" + begin + ", " + end + "] end before begin");
    }
    long expected;
    try {
      expected = Math.multiplyExact(TensorInfo.numel(shape), dtype.byteSize());
    } catch (ArithmeticException e) {
      throw fail("tensor '" + name + "': shape element count overflows");
    }
    if (end - begin != expected) {
      throw fail(
          "tensor '"
              + name
              + "': "
              + (end - begin)
              + " data bytes but shape x dtype needs "
              + expected);
    }
    return new TensorInfo(name, dtype, shape, begin, end);
  }

  private void validateLayout(Map<String, TensorInfo> infos, long dataSize) {
    List<TensorInfo> byOffset = new ArrayList<>(infos.values());
    byOffset.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
    long cursor = 0;
    TensorInfo previous = null;
    for (TensorInfo t : byOffset) {
      if (t.begin() < cursor) {
        throw fail(
            "tensor '" + t.name() + "': data [" + t.begin() + ", " + t.end() + ") overlaps tensor '"
                + previous.name() + "' [" + previous.begin() + ", " + previous.end() + ")");
      }
      if (t.begin() > cursor) {
        throw fail(
            "tensor '" + t.name() + "': gap of " + (t.begin() - cursor)
                + " bytes before its data (previous data ends at " + cursor + ")");
      }
      if (t.end() > dataSize) {
        throw fail(
            "tensor '" + t.name() + "': data ends at " + t.end() + ", past the data section ("
                + dataSize + " bytes): the file is truncated or the offsets are wrong");
      }
      cursor = t.end();
      previous = t;
    }
    if (cursor != dataSize) {
      throw fail(
          (dataSize - cursor) + " trailing bytes after the last tensor (data section " + dataSize
              + " bytes, tensors cover " + cursor + ")");
    }
  }

  private SafetensorsFormatException fail(String what) {
    return new SafetensorsFormatException(source + ": " + what);
  }

  private ByteBuffer read(long position, int length) throws IOException {
    if (whole != null) {
      return whole.duplicate().position((int) position).limit((int) position + length).slice();
    }
    return channel.map(FileChannel.MapMode.READ_ONLY, position, length);
  }

  /** Where the bytes came from (a path or a caller-given name). */
  public String source() {
    return source;
  }

  /** The string map of {@code __metadata__}, empty when absent. */
  public Map<String, String> metadata() {
    return metadata;
  }

  /** Whether the header has a {@code __metadata__} entry (possibly an empty one). */
  public boolean hasMetadata() {
    return hasMetadata;
  }

  /** Tensor entries in header order. */
  public Map<String, TensorInfo> tensors() {
    return tensors;
  }

  /** Whether a tensor of that name exists. */
  public boolean contains(String name) {
    return tensors.containsKey(name);
  }

  /** The header entry of a tensor, or an error naming the missing tensor. */
  public TensorInfo info(String name) {
    TensorInfo t = tensors.get(name);
    if (t == null) {
      throw new IllegalArgumentException(source + ": no tensor named '" + name + "'");
    }
    return t;
  }

  /** Read-only little-endian view of a tensor's bytes (no copy). */
  public ByteBuffer data(String name) {
    TensorInfo t = info(name);
    if (t.byteLength() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(source + ": tensor '" + name + "' exceeds 2 GiB, read it in parts");
    }
    try {
      return read(dataStart + t.begin(), (int) t.byteLength())
          .asReadOnlyBuffer()
          .order(ByteOrder.LITTLE_ENDIAN);
    } catch (IOException e) {
      throw new SafetensorsFormatException(source + ": cannot map tensor '" + name + "'", e);
    }
  }

  /** Tensor values as floats; F32, F16 and BF16 are converted, integer types are refused. */
  public float[] floats(String name) {
    TensorInfo t = info(name);
    ByteBuffer b = data(name);
    int n = Math.toIntExact(t.numel());
    float[] out = new float[n];
    switch (t.dtype()) {
      case F32 -> b.asFloatBuffer().get(out);
      case F16 -> {
        for (int i = 0; i < n; i++) {
          out[i] = HalfFloats.f16ToFloat(b.getShort(2 * i));
        }
      }
      case BF16 -> {
        for (int i = 0; i < n; i++) {
          out[i] = HalfFloats.bf16ToFloat(b.getShort(2 * i));
        }
      }
      default -> throw new IllegalArgumentException(
          source + ": tensor '" + name + "' is " + t.dtype() + ", not a float type");
    }
    return out;
  }

  /** Raw bytes of a tensor (any dtype), copied. */
  public byte[] bytes(String name) {
    ByteBuffer b = data(name);
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  /** Integer tensor values widened to long; I8, U8 (unsigned), I16, I32, I64. */
  public long[] longs(String name) {
    TensorInfo t = info(name);
    if (t.dtype() != DType.I8
        && t.dtype() != DType.U8
        && t.dtype() != DType.I16
        && t.dtype() != DType.I32
        && t.dtype() != DType.I64) {
      throw new IllegalArgumentException(
          source + ": tensor '" + name + "' is " + t.dtype() + ", not an integer type");
    }
    ByteBuffer b = data(name);
    int n = Math.toIntExact(t.numel());
    long[] out = new long[n];
    for (int i = 0; i < n; i++) {
      out[i] =
          switch (t.dtype()) {
            case I8 -> b.get(i);
            case U8 -> b.get(i) & 0xff;
            case I16 -> b.getShort(2 * i);
            case I32 -> b.getInt(4 * i);
            case I64 -> b.getLong(8 * i);
            default -> throw new AssertionError(t.dtype());
          };
    }
    return out;
  }

  /** Integer tensor values as int, failing if an I64 value does not fit. */
  public int[] ints(String name) {
    long[] l = longs(name);
    int[] out = new int[l.length];
    for (int i = 0; i < l.length; i++) {
      if (l[i] != (int) l[i]) {
        throw new ArithmeticException(
            source + ": tensor '" + name + "' element " + i + " = " + l[i] + " does not fit in an int");
      }
      out[i] = (int) l[i];
    }
    return out;
  }

  @Override
  public void close() throws IOException {
    if (channel != null) {
      channel.close();
    }
  }
}
