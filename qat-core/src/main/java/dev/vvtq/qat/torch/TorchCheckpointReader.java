package dev.vvtq.qat.torch;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import net.razorvine.pickle.PickleException;

/**
 * Reads a file written by {@code torch.save} (the zip format of PyTorch 1.6 and later: {@code
 * <archive>/data.pkl} plus one raw little-endian storage per {@code <archive>/data/<key>}) into plain
 * Java values: maps (insertion-ordered), lists, tuples as {@code Object[]}, numbers, strings,
 * booleans, null and {@link TorchTensor}s. The pickle goes through {@link RestrictedUnpickler}: no
 * global outside its allow-list is ever resolved, so a malicious file is refused, not run.
 */
public final class TorchCheckpointReader {
  private static final byte[] ZIP_MAGIC = {'P', 'K', 3, 4};

  private TorchCheckpointReader() {}

  /** The unpickled object of {@code file}. */
  public static Object read(Path file) throws IOException {
    byte[] head = new byte[4];
    try (InputStream in = Files.newInputStream(file)) {
      int n = in.readNBytes(head, 0, 4);
      if (n == 4 && head[0] == (byte) 0x80 && head[1] == 2) {
        throw new IOException(file + " is in PyTorch's legacy (pre-1.6) serialization format, which is not read here;"
            + " re-save it with a current PyTorch: torch.save(torch.load(old), new)");
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
        return unpickler.load(in);
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
    } catch (ZipException e) {
      throw new IOException(file + " is not a readable torch.save archive: " + e.getMessage(), e);
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
