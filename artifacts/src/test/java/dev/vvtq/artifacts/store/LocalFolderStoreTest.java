package dev.vvtq.artifacts.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class LocalFolderStoreTest extends ArtifactStoreContract {
  Path root;

  @Override
  ArtifactStore newStore() throws Exception {
    root = tmp.resolve("store");
    return new LocalFolderStore(root);
  }

  @Test
  void keysAreFilesUnderTheRoot() throws Exception {
    store.put("runs/r1/run.json", new byte[] {7});
    assertArrayEquals(new byte[] {7}, Files.readAllBytes(root.resolve("runs/r1/run.json")));
    assertEquals(root.toAbsolutePath().toUri().toString(), store.location());
  }

  @Test
  void writesLeaveNoStagingFiles() throws Exception {
    store.put("a/b", random(100_000, 3));
    store.put("a/b", random(100_000, 4));
    store.put("a/c", localFile("c", random(10, 5)));
    try (Stream<Path> all = Files.walk(root)) {
      assertEquals(List.of("a/b", "a/c"),
          all.filter(Files::isRegularFile).map(p -> root.relativize(p).toString()).sorted().toList());
    }
  }

  @Test
  void hiddenFilesInTheFolderAreNotKeys() throws Exception {
    store.put("a/b", new byte[] {1});
    Files.write(root.resolve("a/.b.123.part"), new byte[] {2});
    Files.createDirectories(root.resolve(".trash"));
    Files.write(root.resolve(".trash/x"), new byte[] {3});
    assertEquals(List.of("a/b"), store.list(""));
  }

  @Test
  void aRootThatIsAFileIsRefused() throws Exception {
    Path file = Files.write(tmp.resolve("plain"), new byte[] {1});
    NotDirectoryException e = assertThrows(NotDirectoryException.class, () -> new LocalFolderStore(file));
    assertTrue(e.getMessage().contains("not a folder"), e.getMessage());
  }

  @Test
  void aKeyCannotBeBothAnObjectAndAPrefix() throws Exception {
    store.put("a/b", new byte[] {1});
    ArtifactStoreException e = assertThrows(ArtifactStoreException.class, () -> store.put("a/b/c", new byte[] {2}));
    assertTrue(e.getMessage().contains("'a/b/c'") && e.getMessage().contains("is a file"), e.getMessage());
    store.put("x/y/z", new byte[] {1});
    e = assertThrows(ArtifactStoreException.class, () -> store.put("x/y", new byte[] {2}));
    assertTrue(e.getMessage().contains("already use it as a prefix"), e.getMessage());
  }
}
