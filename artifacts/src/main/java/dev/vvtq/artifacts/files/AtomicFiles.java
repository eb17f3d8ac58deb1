package dev.vvtq.artifacts.files;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** Writing local files so that no reader ever sees a partial one: a hidden sibling, then a rename. */
public final class AtomicFiles {
  /** Writes the content of a file. */
  public interface Writer {
    void writeTo(OutputStream out) throws IOException;
  }

  private AtomicFiles() {}

  /** A new empty hidden sibling of {@code target}, in the same folder so a rename can be atomic. */
  public static Path stagingFileFor(Path target) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    return Files.createTempFile(dir, "." + target.getFileName() + ".", ".part");
  }

  /** Writes through a staging file, flushes it to disk, then renames it over the target. */
  public static void write(Path target, Writer writer) throws IOException {
    Path staging = stagingFileFor(target);
    try {
      try (OutputStream out = Files.newOutputStream(staging)) {
        writer.writeTo(out);
      }
      // Without the fsync a crash after the rename could leave a complete-looking empty file.
      try (FileChannel ch = FileChannel.open(staging, StandardOpenOption.WRITE)) {
        ch.force(true);
      }
      moveIntoPlace(staging, target);
    } finally {
      Files.deleteIfExists(staging);
    }
  }

  /** Writes {@code content} as the whole of {@code target}, through a staging file. */
  public static void write(Path target, byte[] content) throws IOException {
    write(target, out -> out.write(content));
  }

  /** Renames a finished staging file over the target, atomically where the file system can. */
  public static void moveIntoPlace(Path staging, Path target) throws IOException {
    try {
      Files.move(staging, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(staging, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
