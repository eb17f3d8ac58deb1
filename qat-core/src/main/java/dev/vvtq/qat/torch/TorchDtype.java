package dev.vvtq.qat.torch;

/** The element types of PyTorch storages, by the legacy storage class a checkpoint names. */
public enum TorchDtype {
  FLOAT32("FloatStorage", 4),
  FLOAT64("DoubleStorage", 8),
  FLOAT16("HalfStorage", 2),
  BFLOAT16("BFloat16Storage", 2),
  INT64("LongStorage", 8),
  INT32("IntStorage", 4),
  INT16("ShortStorage", 2),
  INT8("CharStorage", 1),
  UINT8("ByteStorage", 1),
  BOOL("BoolStorage", 1);

  private final String storageClass;
  private final int bytes;

  TorchDtype(String storageClass, int bytes) {
    this.storageClass = storageClass;
    this.bytes = bytes;
  }

  /** The storage class name in module {@code torch} ({@code FloatStorage}, ...). */
  public String storageClass() {
    return storageClass;
  }

  /** Bytes per element. */
  public int bytes() {
    return bytes;
  }

  /** The dtype of a storage class name, or null when it is none of them. */
  public static TorchDtype ofStorageClass(String name) {
    for (TorchDtype d : values()) {
      if (d.storageClass.equals(name)) {
        return d;
      }
    }
    return null;
  }
}
