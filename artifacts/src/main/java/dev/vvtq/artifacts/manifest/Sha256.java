package dev.vvtq.artifacts.manifest;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 of byte arrays, files and streams, read in fixed-size chunks so size does not matter. */
public final class Sha256 {
  private static final int CHUNK = 1 << 16;

  private Sha256() {}

  /** A fresh SHA-256 digest (every JDK has one). */
  public static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JDK lacks SHA-256", e);
    }
  }

  /** Lowercase hex SHA-256 of a byte array. */
  public static String hex(byte[] content) {
    return HexFormat.of().formatHex(newDigest().digest(content));
  }

  /** Lowercase hex SHA-256 of a file, streamed. */
  public static String hex(Path file) throws IOException {
    return entryOf(file).sha256();
  }

  /** Size and SHA-256 of a file, streamed. */
  public static FileEntry entryOf(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return copy(in, OutputStream.nullOutputStream());
    }
  }

  /** Copies a stream to another (not closing either) and returns the size and SHA-256 of what passed. */
  public static FileEntry copy(InputStream in, OutputStream out) throws IOException {
    MessageDigest digest = newDigest();
    byte[] buf = new byte[CHUNK];
    long total = 0;
    for (int n; (n = in.read(buf)) != -1; ) {
      digest.update(buf, 0, n);
      out.write(buf, 0, n);
      total += n;
    }
    return new FileEntry(total, HexFormat.of().formatHex(digest.digest()));
  }
}
