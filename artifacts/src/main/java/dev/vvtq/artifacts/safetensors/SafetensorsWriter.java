package dev.vvtq.artifacts.safetensors;

import dev.vvtq.artifacts.CodePointOrder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a safetensors file. The layout follows the reference (Rust) serializer: tensors ordered by
 * dtype (widest first, in the reference's enum order) then by name, a compact header with {@code
 * __metadata__} first, padded with spaces to a multiple of 8 bytes. A file written by the reference
 * therefore round-trips byte for byte.
 */
public final class SafetensorsWriter {
  private record Entry(String name, DType dtype, long[] shape, byte[] data) {}

  private final Map<String, String> metadata = new LinkedHashMap<>();
  private final Map<String, Entry> entries = new LinkedHashMap<>();
  // The reference writes "__metadata__":{} when handed an empty map and nothing when handed none.
  private boolean metadataSection;

  /** A writer holding every tensor and the metadata of a reader, so that writing reproduces the file. */
  public static SafetensorsWriter copyOf(SafetensorsReader reader) {
    SafetensorsWriter w = new SafetensorsWriter();
    if (reader.hasMetadata()) {
      w.putMetadata(reader.metadata());
    }
    for (String name : reader.tensors().keySet()) {
      w.copyFrom(reader, name, name);
    }
    return w;
  }

  /** Adds a {@code __metadata__} string entry. */
  public SafetensorsWriter putMetadata(String key, String value) {
    requireWellFormed("metadata key", key);
    requireWellFormed("metadata value of '" + key + "'", value);
    metadataSection = true;
    metadata.put(key, value);
    return this;
  }

  /**
   * Adds every {@code __metadata__} entry of a map, in its iteration order. Even an empty map makes
   * the header carry a (then empty) {@code __metadata__} object, as the reference does.
   */
  public SafetensorsWriter putMetadata(Map<String, String> entries) {
    metadataSection = true;
    entries.forEach(this::putMetadata);
    return this;
  }

  /**
   * Adds a tensor from little-endian raw bytes; the length must equal shape x dtype. The array is
   * kept, not copied (checkpoints are large): do not change it before writing.
   */
  public SafetensorsWriter add(String name, DType dtype, long[] shape, byte[] littleEndianData) {
    if (name == null || name.equals("__metadata__")) {
      throw new IllegalArgumentException("invalid tensor name '" + name + "'");
    }
    requireWellFormed("tensor name", name);
    if (entries.containsKey(name)) {
      throw new IllegalArgumentException("tensor '" + name + "' added twice");
    }
    long expected = Math.multiplyExact(TensorInfo.numel(shape), dtype.byteSize());
    if (littleEndianData.length != expected) {
      throw new IllegalArgumentException(
          "tensor '" + name + "': " + littleEndianData.length + " bytes given, shape "
              + Arrays.toString(shape) + " x " + dtype + " needs " + expected);
    }
    entries.put(name, new Entry(name, dtype, shape.clone(), littleEndianData));
    return this;
  }

  /** Adds an F32 tensor. */
  public SafetensorsWriter addF32(String name, long[] shape, float[] values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(values);
    return add(name, DType.F32, shape, b.array());
  }

  /** Adds an F16 tensor, rounding each value to nearest-even binary16. */
  public SafetensorsWriter addF16(String name, long[] shape, float[] values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putShort(HalfFloats.floatToF16(v));
    }
    return add(name, DType.F16, shape, b.array());
  }

  /** Adds a BF16 tensor, rounding each value to nearest-even bfloat16. */
  public SafetensorsWriter addBF16(String name, long[] shape, float[] values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putShort(HalfFloats.floatToBf16(v));
    }
    return add(name, DType.BF16, shape, b.array());
  }

  /** Adds an I16 tensor. */
  public SafetensorsWriter addI16(String name, long[] shape, short[] values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
    b.asShortBuffer().put(values);
    return add(name, DType.I16, shape, b.array());
  }

  /** Adds an I8 tensor. */
  public SafetensorsWriter addI8(String name, long[] shape, byte[] values) {
    return add(name, DType.I8, shape, values.clone());
  }

  /** Adds a U8 tensor (bytes taken as unsigned). */
  public SafetensorsWriter addU8(String name, long[] shape, byte[] values) {
    return add(name, DType.U8, shape, values.clone());
  }

  /** Adds an I32 tensor. */
  public SafetensorsWriter addI32(String name, long[] shape, int[] values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asIntBuffer().put(values);
    return add(name, DType.I32, shape, b.array());
  }

  /** Adds an I64 tensor. */
  public SafetensorsWriter addI64(String name, long[] shape, long[] values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    b.asLongBuffer().put(values);
    return add(name, DType.I64, shape, b.array());
  }

  /** Copies one tensor of an open reader, under the same or another name. */
  public SafetensorsWriter copyFrom(SafetensorsReader reader, String name, String asName) {
    TensorInfo t = reader.info(name);
    return add(asName, t.dtype(), t.shape(), reader.bytes(name));
  }

  /** Names added so far. */
  public List<String> names() {
    return new ArrayList<>(entries.keySet());
  }

  private static int rank(DType t) {
    // The reference serializer sorts by its Dtype enum, descending; this is that order.
    return switch (t) {
      case I64 -> 0;
      case F32 -> 1;
      case I32 -> 2;
      case BF16 -> 3;
      case F16 -> 4;
      case I16 -> 5;
      case I8 -> 6;
      case U8 -> 7;
    };
  }

  // Rust compares names as UTF-8 bytes, which is code point order.
  private static final Comparator<String> CODE_POINT_ORDER = CodePointOrder.INSTANCE;

  private List<Entry> ordered() {
    List<Entry> list = new ArrayList<>(entries.values());
    list.sort(
        Comparator.comparingInt((Entry e) -> rank(e.dtype))
            .thenComparing(Entry::name, CODE_POINT_ORDER));
    return list;
  }

  private static void requireWellFormed(String what, String s) {
    if (s == null || !SafetensorsReader.isWellFormed(s)) {
      throw new IllegalArgumentException(what + " is null or has an unpaired surrogate: " + s);
    }
  }

  private byte[] header() {
    StringBuilder sb = new StringBuilder("{");
    boolean first = true;
    if (metadataSection) {
      sb.append("\"__metadata__\":{");
      boolean firstMeta = true;
      for (Map.Entry<String, String> m : metadata.entrySet()) {
        if (!firstMeta) {
          sb.append(',');
        }
        firstMeta = false;
        quote(sb, m.getKey()).append(':');
        quote(sb, m.getValue());
      }
      sb.append('}');
      first = false;
    }
    long offset = 0;
    for (Entry e : ordered()) {
      if (!first) {
        sb.append(',');
      }
      first = false;
      quote(sb, e.name).append(":{\"dtype\":\"").append(e.dtype.name()).append("\",\"shape\":[");
      for (int i = 0; i < e.shape.length; i++) {
        if (i > 0) {
          sb.append(',');
        }
        sb.append(e.shape[i]);
      }
      long end = offset + e.data.length;
      sb.append("],\"data_offsets\":[").append(offset).append(',').append(end).append("]}");
      offset = end;
    }
    sb.append('}');
    byte[] raw = sb.toString().getBytes(StandardCharsets.UTF_8);
    int padded = (raw.length + 7) / 8 * 8;
    byte[] out = Arrays.copyOf(raw, padded);
    Arrays.fill(out, raw.length, padded, (byte) ' ');
    return out;
  }

  private static StringBuilder quote(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.append('"');
  }

  /** Writes the whole file to a stream. */
  public void writeTo(OutputStream out) throws IOException {
    byte[] header = header();
    ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
    out.write(len.array());
    out.write(header);
    for (Entry e : ordered()) {
      out.write(e.data);
    }
  }

  /** The whole file as bytes. */
  public byte[] toByteArray() {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try {
      writeTo(bos);
    } catch (IOException e) {
      throw new IllegalStateException("unreachable: in-memory write failed", e);
    }
    return bos.toByteArray();
  }

  /** Writes to a temporary sibling then renames it, so readers never see a partial file. */
  public void writeTo(Path path) throws IOException {
    Path dir = path.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, "." + path.getFileName(), ".tmp");
    try {
      try (OutputStream out = Files.newOutputStream(tmp)) {
        writeTo(out);
      }
      try {
        Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
