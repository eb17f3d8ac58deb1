package dev.vvtq.artifacts.store;

import dev.vvtq.artifacts.files.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * An {@link ArtifactStore} in a local folder: key {@code a/b/c} is file {@code <root>/a/b/c}. Each
 * write goes to a hidden sibling first and is renamed into place, so readers never see partial
 * files; keys are validated by {@link ArtifactKeys} and cannot leave the root.
 */
public final class LocalFolderStore implements ArtifactStore {
  private final Path root;

  /** Opens (creating if needed) a store rooted at a folder. */
  public LocalFolderStore(Path root) throws IOException {
    this.root = root.toAbsolutePath().normalize();
    if (Files.exists(this.root) && !Files.isDirectory(this.root)) {
      throw new NotDirectoryException(
          this.root + " (artifact store root exists but is not a folder: choose another path)");
    }
    Files.createDirectories(this.root);
  }

  /** The root folder. */
  public Path root() {
    return root;
  }

  @Override
  public String location() {
    return root.toUri().toString();
  }

  /** The local path of a key (validated). */
  public Path pathOf(String key) {
    Path p = root;
    for (String segment : ArtifactKeys.requireValidKey(key).split("/")) {
      p = p.resolve(segment);
    }
    return p;
  }

  @Override
  public void put(String key, Path file) throws IOException {
    Path target = pathOf(key);
    prepareParent(key, target);
    AtomicFiles.write(target, out -> Files.copy(file, out));
  }

  @Override
  public void put(String key, byte[] content) throws IOException {
    Path target = pathOf(key);
    prepareParent(key, target);
    AtomicFiles.write(target, out -> out.write(content));
  }

  private void prepareParent(String key, Path target) throws IOException {
    try {
      Files.createDirectories(target.getParent());
    } catch (FileAlreadyExistsException e) {
      throw new ArtifactStoreException(
          key,
          location() + ": cannot store '" + key + "': a shorter key on its path is a file ("
              + e.getFile() + "); in a folder store a key cannot be both an object and a prefix",
          e);
    }
    if (Files.isDirectory(target)) {
      throw new ArtifactStoreException(
          key, location() + ": cannot store '" + key + "': other keys already use it as a prefix");
    }
  }

  @Override
  public byte[] readBytes(String key) throws IOException {
    try (InputStream in = open(key)) {
      return in.readAllBytes();
    }
  }

  @Override
  public InputStream open(String key) throws IOException {
    Path p = pathOf(key);
    if (!Files.isRegularFile(p)) {
      throw notFound(key, null);
    }
    try {
      return Files.newInputStream(p);
    } catch (NoSuchFileException e) {
      throw notFound(key, e);
    }
  }

  @Override
  public void download(String key, Path target) throws IOException {
    Path source = pathOf(key);
    if (!Files.isRegularFile(source)) {
      throw notFound(key, null);
    }
    try {
      AtomicFiles.write(target, out -> Files.copy(source, out));
    } catch (NoSuchFileException e) {
      if (e.getFile() != null && Path.of(e.getFile()).equals(source)) {
        throw notFound(key, e);
      }
      throw e;
    }
  }

  @Override
  public boolean exists(String key) {
    return Files.isRegularFile(pathOf(key));
  }

  @Override
  public List<String> list(String prefix) throws IOException {
    ArtifactKeys.requireValidPrefix(prefix);
    // Walk only the folder the prefix's complete segments name; the rest filters by string.
    int slash = prefix.lastIndexOf('/');
    Path start = slash < 0 ? root : pathOf(prefix.substring(0, slash));
    if (!Files.isDirectory(start)) {
      return List.of();
    }
    List<String> keys = new ArrayList<>();
    try (Stream<Path> files = Files.walk(start)) {
      files
          .filter(Files::isRegularFile)
          .map(this::keyOf)
          .filter(k -> k != null && k.startsWith(prefix))
          .forEach(keys::add);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    keys.sort(ArtifactKeys.ORDER);
    return keys;
  }

  /** The key of a file under the root, or null for the store's own hidden staging files. */
  private String keyOf(Path file) {
    Path rel = root.relativize(file);
    StringBuilder key = new StringBuilder();
    for (Path segment : rel) {
      String s = segment.toString();
      if (s.startsWith(".")) {
        return null;
      }
      if (key.length() > 0) {
        key.append('/');
      }
      key.append(s);
    }
    return key.toString();
  }

  /** Removes left-over staging files in the prefix's folder and every folder below it. */
  @Override
  public int removeLeftOverStaging(String prefix) throws IOException {
    ArtifactKeys.requireValidPrefix(prefix);
    String folder = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
    Path start = folder.isEmpty() ? root : pathOf(folder);
    if (!Files.isDirectory(start)) {
      return 0;
    }
    List<Path> dirs;
    try (Stream<Path> all = Files.walk(start)) {
      dirs = all.filter(Files::isDirectory).toList();
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    int removed = 0;
    for (Path d : dirs) {
      removed += AtomicFiles.removeLeftOverStaging(d);
    }
    return removed;
  }

  @Override
  public void delete(String key) throws IOException {
    Path p = pathOf(key);
    if (Files.isDirectory(p)) {
      return;
    }
    Files.deleteIfExists(p);
  }

  private ArtifactNotFoundException notFound(String key, Throwable cause) {
    return new ArtifactNotFoundException(
        key, location() + ": no artifact at '" + key + "'", cause);
  }

  @Override
  public void close() {}

  @Override
  public String toString() {
    return "LocalFolderStore[" + root + "]";
  }
}
