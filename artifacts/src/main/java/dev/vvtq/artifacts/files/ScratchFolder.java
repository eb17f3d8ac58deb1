package dev.vvtq.artifacts.files;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A new temporary folder that is deleted, with everything in it, on close. */
public final class ScratchFolder implements AutoCloseable {
  private final Path path;

  private ScratchFolder(Path path) {
    this.path = path;
  }

  /** A new folder in the system's temporary folder ({@code java.io.tmpdir}), named {@code prefix...}. */
  public static ScratchFolder create(String prefix) throws IOException {
    return new ScratchFolder(Files.createTempDirectory(prefix));
  }

  /** A new folder under {@code parent} (created if missing), named {@code prefix...}. */
  public static ScratchFolder createIn(Path parent, String prefix) throws IOException {
    return new ScratchFolder(Files.createTempDirectory(Files.createDirectories(parent), prefix));
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
