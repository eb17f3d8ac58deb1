package dev.vvtq.artifacts.manifest;

import java.util.regex.Pattern;

/**
 * Size and SHA-256 of one file named by a manifest.
 *
 * @param bytes length in bytes
 * @param sha256 64 lowercase hex digits
 */
public record FileEntry(long bytes, String sha256) {
  private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

  public FileEntry {
    if (bytes < 0) {
      throw new IllegalArgumentException("negative file size " + bytes);
    }
    if (sha256 == null || !SHA256_HEX.matcher(sha256).matches()) {
      throw new IllegalArgumentException(
          "sha256 must be 64 lowercase hex digits, got '" + sha256 + "'");
    }
  }

  /** The entry of an in-memory content. */
  public static FileEntry of(byte[] content) {
    return new FileEntry(content.length, Sha256.hex(content));
  }
}
