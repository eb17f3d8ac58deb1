package dev.vvtq.qat.torch;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import net.razorvine.pickle.PickleException;

/**
 * Reads a file written by {@code torch.save} (the zip format of PyTorch 1.6 and later: {@code
 * <archive>/data.pkl} plus one raw little-endian storage per {@code <archive>/data/<key>}; or the
 * legacy format before it) into plain
 * Java values: maps (insertion-ordered), lists, tuples as {@code Object[]}, numbers, strings,
 * booleans, null and {@link TorchTensor}s. The pickle goes through {@link RestrictedUnpickler}: no
 * global outside its allow-list is ever resolved, so a malicious file is refused, not run.
 */
public final class TorchCheckpointReader {
  private static final byte[] ZIP_MAGIC = {'P', 'K', 3, 4};
  private static final BigInteger LEGACY_MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);
  private static final int LEGACY_PROTOCOL = 1001;

  private TorchCheckpointReader() {}

  /** The unpickled object of {@code file}. */
  public static Object read(Path file) throws IOException {
    byte[] head = new byte[4];
    try (InputStream in = Files.newInputStream(file)) {
      int n = in.readNBytes(head, 0, 4);
      if (n == 4 && head[0] == (byte) 0x80 && head[1] == 2 && head[2] == (byte) 0x8a) {
        return readLegacy(file);
      }
      if (n < 4 || !java.util.Arrays.equals(head, ZIP_MAGIC)) {
        throw new IOException(file + " is not a torch.save file (no zip header)");
      }
    }
    try (ZipFile zip = new ZipFile(file.toFile())) {
      String prefix = archivePrefix(zip, file);
      ZipEntry order = zip.getEntry(prefix + "byteorder");
      if (order != null) {
        String bo = new String(zip.getInputStream(order).readAllBytes(), StandardCharsets.US_ASCII).trim();
        if (!bo.equals("little")) {
          throw new IOException(file + " stores its tensors " + bo + "-endian; only little-endian files are read");
        }
      }
      ZipEntry pkl = zip.getEntry(prefix + "data.pkl");
      RestrictedUnpickler unpickler = new RestrictedUnpickler((key, dtype, numel, location) -> {
        ZipEntry e = zip.getEntry(prefix + "data/" + key);
        if (e == null) {
          throw new IOException(file + ": storage '" + key + "' is named by data.pkl but missing from the archive");
        }
        byte[] data = zip.getInputStream(e).readAllBytes();
        if (data.length < numel * dtype.bytes()) {
          throw new IOException(file + ": storage '" + key + "' holds " + data.length + " bytes, fewer than its "
              + numel + " " + dtype + " elements");
        }
        return new TorchStorage(key, dtype, data);
      });
      try (InputStream in = zip.getInputStream(pkl)) {
        return load(unpickler, in, file);
      }
    } catch (ZipException e) {
      throw new IOException(file + " is not a readable torch.save archive: " + e.getMessage(), e);
    }
  }

  /**
   * The legacy format (torch.save before 1.6, or {@code _use_new_zipfile_serialization=False}): four
   * pickles in a row (magic number, protocol version, system info, the object), the sorted list of
   * storage keys, then per key the element count (int64) and the raw bytes.
   */
  private static Object readLegacy(Path file) throws IOException {
    RestrictedUnpickler.Storages none = (key, dtype, numel, location) -> {
      throw new IOException(file + ": a storage in the legacy header pickles");
    };
    Map<String, TorchStorage> storages = new LinkedHashMap<>();
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
      Object magic = load(new RestrictedUnpickler(none), in, file);
      if (!LEGACY_MAGIC.equals(magic)) {
        throw new IOException(file + " is not a torch.save file (legacy magic number " + magic + ")");
      }
      Object version = load(new RestrictedUnpickler(none), in, file);
      if (!Integer.valueOf(LEGACY_PROTOCOL).equals(version)) {
        throw new IOException(file + ": legacy protocol version " + version + ", only " + LEGACY_PROTOCOL + " is read");
      }
      if (!(load(new RestrictedUnpickler(none), in, file) instanceof Map<?, ?> info)
          || !Boolean.TRUE.equals(info.get("little_endian"))) {
        throw new IOException(file + ": not a little-endian legacy torch.save file");
      }
      Object root = load(new RestrictedUnpickler((key, dtype, numel, location) -> {
        TorchStorage st = new TorchStorage(key, dtype, null);
        storages.put(key, st);
        return st;
      }), in, file);
      if (!(load(new RestrictedUnpickler(none), in, file) instanceof List<?> keys)) {
        throw new IOException(file + ": no storage key list after the legacy pickle");
      }
      for (Object k : keys) {
        TorchStorage st = storages.get(String.valueOf(k));
        if (st == null) {
          throw new IOException(file + ": storage '" + k + "' is listed but no tensor names it");
        }
        byte[] count = in.readNBytes(8);
        if (count.length < 8) {
          throw new IOException(file + ": truncated before storage '" + k + "'");
        }
        long numel = java.nio.ByteBuffer.wrap(count).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        long bytes = numel * st.dtype().bytes();
        if (numel < 0 || bytes > Integer.MAX_VALUE) {
          throw new IOException(file + ": storage '" + k + "' claims " + numel + " elements");
        }
        byte[] data = in.readNBytes((int) bytes);
        if (data.length < bytes) {
          throw new IOException(file + ": storage '" + k + "' is truncated");
        }
        st.fill(data);
      }
      try {
        return TorchStorage.resolve(root);
      } catch (IllegalArgumentException e) {
        throw new IOException(file + ": " + e.getMessage(), e);
      }
    }
  }

  private static Object load(RestrictedUnpickler u, InputStream in, Path file) throws IOException {
    try {
      return u.load(in);
    } catch (PickleException e) {
      throw new IOException(file + ": malformed checkpoint pickle: " + e.getMessage(), e);
    } catch (DisallowedPickleException e) {
      throw new DisallowedPickleException(file + ": " + e.getMessage());
    } catch (UncheckedIOException e) {
      if (e.getCause() instanceof DisallowedPickleException d) {
        throw new DisallowedPickleException(file + ": " + d.getMessage());
      }
      throw e.getCause();
    }
  }

  private static String archivePrefix(ZipFile zip, Path file) throws IOException {
    for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
      String name = en.nextElement().getName();
      if (name.endsWith("/data.pkl") && name.indexOf('/') == name.length() - "/data.pkl".length()) {
        return name.substring(0, name.length() - "data.pkl".length());
      }
    }
    throw new IOException(file + " is a zip but not a torch.save archive (no <archive>/data.pkl)");
  }
}
