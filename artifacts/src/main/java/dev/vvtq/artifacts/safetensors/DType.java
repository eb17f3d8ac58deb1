package dev.vvtq.artifacts.safetensors;

/** Element types of the safetensors format that this project reads and writes. */
public enum DType {
  F32(4),
  F16(2),
  BF16(2),
  I8(1),
  U8(1),
  I16(2),
  I32(4),
  I64(8);

  private final int byteSize;

  DType(int byteSize) {
    this.byteSize = byteSize;
  }

  /** Bytes per element. */
  public int byteSize() {
    return byteSize;
  }

  /** Parses the header spelling (e.g. {@code "F32"}), or fails naming the supported types. */
  public static DType parse(String id) {
    for (DType t : values()) {
      if (t.name().equals(id)) {
        return t;
      }
    }
    throw new IllegalArgumentException(
        "unsupported dtype '" + id + "' (supported: F32, F16, BF16, I8, U8, I16, I32, I64)");
  }
}
