package dev.vvtq.qat.torch;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes values as {@code torch.save} does (zip format, the layout PyTorch 1.6+ reads): {@code
 * <archive>/data.pkl}, {@code byteorder}, one stored (uncompressed) {@code data/<key>} per tensor with
 * its bytes aligned to 64 in the file as PyTorch aligns them, and {@code version}. Entry times are
 * fixed, so the same values give the same bytes.
 */
public final class TorchCheckpointWriter {
  private static final int ALIGNMENT = 64;
  /** PyTorch's zip writer pads with an extra field of this id ('FB'). */
  private static final int PADDING_FIELD = 0x4246;
  private static final long FIXED_TIME = 315532800000L + 86400000L; // 1980-01-02, inside the DOS date range

  private TorchCheckpointWriter() {}

  /** Writes {@code root} to {@code file} (atomically), with {@code archive} as the top folder. */
  public static void write(Path file, String archive, Object root) throws IOException {
    List<TorchTensor> tensors = new ArrayList<>();
    byte[] pickle = new PickleWriter(tensors::add).pickle(root);
    Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), file.getFileName().toString(), ".tmp");
    try {
      try (Counting counting = new Counting(Files.newOutputStream(tmp)); ZipOutputStream zip = new ZipOutputStream(counting)) {
        put(zip, counting, archive + "/data.pkl", pickle);
        put(zip, counting, archive + "/byteorder", "little".getBytes(StandardCharsets.US_ASCII));
        for (int i = 0; i < tensors.size(); i++) {
          put(zip, counting, archive + "/data/" + i, tensors.get(i).bytes());
        }
        put(zip, counting, archive + "/version", "3\n".getBytes(StandardCharsets.US_ASCII));
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static void put(ZipOutputStream zip, Counting counting, String name, byte[] data) throws IOException {
    ZipEntry e = new ZipEntry(name);
    e.setMethod(ZipEntry.STORED);
    e.setSize(data.length);
    e.setCompressedSize(data.length);
    CRC32 crc = new CRC32();
    crc.update(data);
    e.setCrc(crc.getValue());
    e.setTime(FIXED_TIME);
    zip.flush();
    // Local header: 30 bytes + name + extra; the extra field (4-byte header + padding) aligns the data.
    long dataStart = counting.count + 30 + name.getBytes(StandardCharsets.UTF_8).length + 4;
    int pad = (int) ((ALIGNMENT - dataStart % ALIGNMENT) % ALIGNMENT);
    byte[] extra = new byte[4 + pad];
    extra[0] = (byte) (PADDING_FIELD & 0xFF);
    extra[1] = (byte) (PADDING_FIELD >>> 8);
    extra[2] = (byte) (pad & 0xFF);
    extra[3] = (byte) (pad >>> 8);
    java.util.Arrays.fill(extra, 4, extra.length, (byte) 'Z');
    e.setExtra(extra);
    zip.putNextEntry(e);
    zip.write(data);
    zip.closeEntry();
  }

  /** Counts the bytes written through it, so that entries can be aligned. */
  private static final class Counting extends FilterOutputStream {
    long count;

    Counting(OutputStream out) {
      super(out);
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      count += len;
    }
  }
}
