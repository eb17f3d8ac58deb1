package dev.vvtq.artifacts.files;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/** Deletes a folder with everything under it. Links are deleted, never followed. */
public final class FileTree {
  private FileTree() {}

  /** Deletes {@code root} and everything under it; a missing root is fine. Fails on the first path that stays. */
  public static void delete(Path root) throws IOException {
    walk(root, false);
  }

  /**
   * Deletes what it can of {@code root} and never throws: for clean-up after a failure, where the
   * failure matters more than a leftover file. Says whether {@code root} is gone.
   */
  public static boolean deleteQuietly(Path root) {
    try {
      walk(root, true);
    } catch (IOException | RuntimeException ignored) {
      // Reported by what is left.
    }
    return !Files.exists(root, LinkOption.NOFOLLOW_LINKS);
  }

  private static void walk(Path root, boolean quiet) throws IOException {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        remove(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
        return gone(e);
      }

      @Override
      public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
        if (e != null) {
          gone(e);
        }
        remove(dir);
        return FileVisitResult.CONTINUE;
      }

      private void remove(Path p) throws IOException {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          gone(e);
        }
      }

      // Something that went away while we walked is what we wanted; anything else fails only a strict delete.
      private FileVisitResult gone(IOException e) throws IOException {
        if (e instanceof NoSuchFileException || quiet) {
          return FileVisitResult.CONTINUE;
        }
        throw e;
      }
    });
  }
}
