package dev.vvtq.qat.torch;

/**
 * One raw storage of a checkpoint ({@code data/<key>} in a zip archive, or a record after the pickle
 * in the legacy format, which is why its bytes may arrive after the tensors that view it).
 */
final class TorchStorage {
  private final String key;
  private final TorchDtype dtype;
  private byte[] data;

  TorchStorage(String key, TorchDtype dtype, byte[] data) {
    this.key = key;
    this.dtype = dtype;
    this.data = data;
  }

  String key() {
    return key;
  }

  TorchDtype dtype() {
    return dtype;
  }

  /** The bytes, or null while a legacy file has not reached them. */
  byte[] data() {
    return data;
  }

  void fill(byte[] bytes) {
    this.data = bytes;
  }

  /** A tensor over a storage whose bytes come later (legacy format); {@link #resolve} replaces it. */
  record Pending(TorchStorage storage, long offset, long[] shape, long[] stride) {}

  /** {@code tree} with every {@link Pending} replaced by its tensor, in place where the containers allow. */
  static Object resolve(Object tree) {
    if (tree instanceof Pending p) {
      if (p.storage().data() == null) {
        throw new IllegalArgumentException("storage '" + p.storage().key() + "' is named by the pickle but its data"
            + " never came");
      }
      return TorchTensor.view(p.storage(), p.offset(), p.shape(), p.stride());
    }
    if (tree instanceof java.util.Map<?, ?> m) {
      @SuppressWarnings("unchecked")
      java.util.Map<Object, Object> mm = (java.util.Map<Object, Object>) m;
      mm.replaceAll((k, v) -> resolve(v));
    } else if (tree instanceof java.util.List<?> l) {
      @SuppressWarnings("unchecked")
      java.util.List<Object> ll = (java.util.List<Object>) l;
      ll.replaceAll(TorchStorage::resolve);
    } else if (tree instanceof Object[] a) {
      for (int i = 0; i < a.length; i++) {
        a[i] = resolve(a[i]);
      }
    }
    return tree;
  }
}
