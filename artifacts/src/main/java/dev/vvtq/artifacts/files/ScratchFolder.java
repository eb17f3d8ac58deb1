package dev.vvtq.artifacts.files;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** A new temporary folder that is deleted, with everything in it, on close. */
public final class ScratchFolder implements AutoCloseable {
  private final Path path;

  private ScratchFolder(Path path) {
    this.path = path;
  }

  /** A new folder in the system's temporary folder ({@code java.io.tmpdir}), named {@code prefix...}. */
  public static ScratchFolder create(String prefix) throws IOException {
    return createIn(Path.of(System.getProperty("java.io.tmpdir")), prefix);
  }

  /**
   * A new folder under {@code parent} (created if missing), named {@code <prefix><owner tag>.<random>}.
   * Folders of the same prefix that killed processes left there are deleted first (see {@link
   * StagingOwner}); untagged ones (older builds) are left alone, since nothing says whose they are.
   */
  public static ScratchFolder createIn(Path parent, String prefix) throws IOException {
    Path dir = Files.createDirectories(parent);
    removeLeftOvers(dir, prefix);
    return new ScratchFolder(Files.createTempDirectory(dir, prefix + StagingOwner.TAG + "."));
  }

  /** Deletes the folders {@code <prefix><tag>.*} under {@code parent} whose owner process is gone. */
  static int removeLeftOvers(Path parent, String prefix) throws IOException {
    List<Path> candidates;
    try (Stream<Path> children = Files.list(parent)) {
      candidates = children.filter(p -> p.getFileName().toString().startsWith(prefix) && Files.isDirectory(p)
          && StagingOwner.isTagged(p.getFileName().toString(), prefix.length())).toList();
    }
    int removed = 0;
    for (Path p : candidates) {
      if (StagingOwner.isLeftOver(p, prefix.length())) {
        FileTree.deleteQuietly(p);
        removed++;
      }
    }
    return removed;
  }

  /** The folder. */
  public Path path() {
    return path;
  }

  /** Deletes the folder and its content; a file that cannot be deleted is left, not thrown about. */
  @Override
  public void close() {
    FileTree.deleteQuietly(path);
  }

  @Override
  public String toString() {
    return path.toString();
  }
}
