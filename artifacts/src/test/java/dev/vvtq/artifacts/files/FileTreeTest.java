package dev.vvtq.artifacts.files;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileTreeTest {
  @TempDir Path tmp;

  private Path tree() throws IOException {
    Path root = Files.createDirectories(tmp.resolve("root/a/b"));
    Files.writeString(tmp.resolve("root/top.txt"), "x");
    Files.writeString(tmp.resolve("root/a/b/deep.bin"), "y");
    Files.createDirectories(tmp.resolve("root/empty"));
    return tmp.resolve("root");
  }

  @Test
  void deletesAFolderWithEverythingUnderIt() throws IOException {
    Path root = tree();
    FileTree.delete(root);
    assertFalse(Files.exists(root));
    assertTrue(Files.exists(tmp), "only the named folder goes");
  }

  @Test
  void aMissingFolderIsFine() throws IOException {
    FileTree.delete(tmp.resolve("never"));
    assertTrue(FileTree.deleteQuietly(tmp.resolve("never")));
  }

  @Test
  void aLinkIsDeletedNotFollowed() throws IOException {
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Files.writeString(outside.resolve("keep.txt"), "kept");
    Path root = tree();
    Files.createSymbolicLink(root.resolve("link"), outside);
    FileTree.delete(root);
    assertFalse(Files.exists(root));
    assertEquals("kept", Files.readString(outside.resolve("keep.txt")));
  }

  @Test
  void aStrictDeleteFailsWhereAQuietOneGoesOn() throws IOException {
    Path root = tree();
    Path locked = root.resolve("a/b");
    Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("r-xr-xr-x"));
    try {
      assumeFalse(Files.isWritable(locked), "root ignores permissions: nothing here can be made undeletable");
      assertThrows(IOException.class, () -> FileTree.delete(root));
      assertFalse(FileTree.deleteQuietly(root), "a file it could not delete is reported");
      assertTrue(Files.exists(locked.resolve("deep.bin")));
      assertFalse(Files.exists(root.resolve("top.txt")), "the rest is gone");
    } finally {
      Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    assertTrue(FileTree.deleteQuietly(root));
  }

  @Test
  void aScratchFolderIsGoneAfterClose() throws IOException {
    Path inside;
    try (ScratchFolder s = ScratchFolder.createIn(tmp.resolve("work"), "job-")) {
      assertTrue(s.path().getFileName().toString().startsWith("job-"));
      assertEquals(tmp.resolve("work"), s.path().getParent());
      inside = Files.writeString(Files.createDirectories(s.path().resolve("x")).resolve("f"), "z");
    }
    assertFalse(Files.exists(inside.getParent().getParent()));
    assertTrue(Files.isDirectory(tmp.resolve("work")));
  }

  @Test
  void atomicWritesReplaceTheWholeFileAndLeaveNoStagingFile() throws IOException {
    Path f = tmp.resolve("sub/manifest.json");
    AtomicFiles.write(f, new byte[] {1, 2, 3});
    AtomicFiles.write(f, new byte[] {4});
    assertArrayEquals(new byte[] {4}, Files.readAllBytes(f));
    try (var listing = Files.list(f.getParent())) {
      assertEquals(1, listing.count());
    }
  }
}
