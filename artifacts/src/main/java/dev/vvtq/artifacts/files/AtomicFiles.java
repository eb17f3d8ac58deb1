package dev.vvtq.artifacts.files;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;

/** Writing local files so that no reader ever sees a partial one: a hidden sibling, then a rename. */
public final class AtomicFiles {
  private static final String STAGING_SUFFIX = ".part";

  /** Writes the content of a file. */
  public interface Writer {
    void writeTo(OutputStream out) throws IOException;
  }

  private AtomicFiles() {}

  /**
   * A new empty hidden sibling of {@code target}, in the same folder so a rename can be atomic:
   * {@code .<name>.<owner tag>.<random>.part}. Staging files that killed writers left in the folder
   * are removed first (see {@link StagingOwner}).
   */
  public static Path stagingFileFor(Path target) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    removeLeftOverStaging(dir);
    return Files.createTempFile(dir, "." + target.getFileName() + "." + StagingOwner.TAG + ".", STAGING_SUFFIX);
  }

  /**
   * Deletes the staging files in {@code dir} (not below it) whose writers are gone; a live
   * writer's, this process's included, are kept. Returns how many were deleted.
   */
  public static int removeLeftOverStaging(Path dir) throws IOException {
    int removed = 0;
    List<Path> candidates;
    try (Stream<Path> files = Files.list(dir)) {
      candidates = files.filter(AtomicFiles::isStagingFile).toList();
    } catch (NoSuchFileException e) {
      return 0;
    }
    for (Path f : candidates) {
      if (StagingOwner.isLeftOver(f, ownerTagIndex(f.getFileName().toString())) && Files.deleteIfExists(f)) {
        removed++;
      }
    }
    return removed;
  }

  /** Whether a file is a staging file of this class ({@code .<name>.<...>.part}). */
  public static boolean isStagingFile(Path file) {
    String n = file.getFileName().toString();
    return n.startsWith(".") && n.endsWith(STAGING_SUFFIX) && Files.isRegularFile(file);
  }

  /** Where the owner tag would start: after the second-to-last-but-one dot-separated part. */
  private static int ownerTagIndex(String name) {
    // .<name>.<tag>.<random>.part: the tag follows the dot before the random digits' dot.
    int partDot = name.length() - STAGING_SUFFIX.length();
    int randomDot = name.lastIndexOf('.', partDot - 1);
    int tagDot = randomDot > 0 ? name.lastIndexOf('.', randomDot - 1) : -1;
    return tagDot < 0 ? name.length() : tagDot + 1;
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
