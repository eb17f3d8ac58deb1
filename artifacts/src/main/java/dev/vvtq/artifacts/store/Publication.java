package dev.vvtq.artifacts.store;

import dev.vvtq.artifacts.files.AtomicFiles;
import dev.vvtq.artifacts.manifest.FileEntry;
import dev.vvtq.artifacts.manifest.Manifest;
import dev.vvtq.artifacts.manifest.ManifestFormatException;
import dev.vvtq.artifacts.manifest.Sha256;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/** Manifest-last publication and manifest-trusting reads, for any {@link ArtifactStore}. */
final class Publication {
  private Publication() {}

  static Manifest publish(
      ArtifactStore store, String prefix, String kind, Map<String, Path> files, Map<String, ?> fields)
      throws IOException {
    ArtifactKeys.requireValidKey(prefix);
    Objects.requireNonNull(files, "files");
    TreeMap<String, FileEntry> entries = new TreeMap<>();
    for (Map.Entry<String, Path> f : files.entrySet()) {
      String name = ArtifactKeys.requireValidKey(f.getKey());
      if (name.equals(Manifest.FILE_NAME)) {
        throw new IllegalArgumentException(
            "cannot publish a file named '" + Manifest.FILE_NAME + "': the store writes that itself");
      }
      if (!Files.isRegularFile(f.getValue())) {
        throw new NoSuchFileException(
            f.getValue().toString(), null, "file to publish as '" + name + "' is not a regular file");
      }
      entries.put(name, Sha256.entryOf(f.getValue()));
    }
    // Built before any upload, so bad fields fail without touching the store.
    Manifest manifest = Manifest.create(kind, entries, fields);
    String manifestKey = ArtifactKeys.join(prefix, Manifest.FILE_NAME);
    store.delete(manifestKey);
    for (Map.Entry<String, Path> f : files.entrySet()) {
      store.put(ArtifactKeys.join(prefix, f.getKey()), f.getValue());
      // Hashed before the upload; a file still being written would make the manifest lie.
      FileEntry after = Sha256.entryOf(f.getValue());
      if (!after.equals(entries.get(f.getKey()))) {
        throw new ArtifactIntegrityException(
            ArtifactKeys.join(prefix, f.getKey()),
            "local file " + f.getValue() + " changed while being published as '"
                + ArtifactKeys.join(prefix, f.getKey()) + "'; nothing was published, try again once it is complete");
      }
    }
    store.put(manifestKey, manifest.toJson());
    return manifest;
  }

  static Manifest readManifest(ArtifactStore store, String prefix) throws IOException {
    String key = ArtifactKeys.join(prefix, Manifest.FILE_NAME);
    byte[] json;
    try {
      json = store.readBytes(key);
    } catch (ArtifactNotFoundException e) {
      throw new ArtifactNotFoundException(
          key,
          store.location() + ": no manifest at '" + key + "': nothing is published under '" + prefix
              + "', or its publication has not finished",
          e);
    }
    Manifest manifest;
    try {
      manifest = Manifest.parse(json, store.location() + " '" + key + "'");
    } catch (ManifestFormatException e) {
      throw new ArtifactIntegrityException(
          key, e.getMessage() + "; the manifest is damaged, republish the artifact", e);
    }
    for (String name : manifest.files().keySet()) {
      try {
        ArtifactKeys.requireValidKey(name);
      } catch (IllegalArgumentException e) {
        // A name like '../x' would let fetchVerified write outside its folder.
        throw new ArtifactIntegrityException(
            key, store.location() + " '" + key + "': manifest names an unsafe file: " + e.getMessage(), e);
      }
    }
    return manifest;
  }

  static byte[] readVerified(ArtifactStore store, String prefix, String name) throws IOException {
    Manifest manifest = readManifest(store, prefix);
    String key = ArtifactKeys.join(prefix, name);
    FileEntry expected = listed(store, manifest, prefix, name);
    byte[] content;
    try {
      content = store.readBytes(key);
    } catch (ArtifactNotFoundException e) {
      throw missing(store, key, e);
    }
    verify(store, key, expected, FileEntry.of(content));
    return content;
  }

  static Manifest fetchVerified(ArtifactStore store, String prefix, Path localDir)
      throws IOException {
    Manifest manifest = readManifest(store, prefix);
    Files.createDirectories(localDir);
    for (Map.Entry<String, FileEntry> f : manifest.files().entrySet()) {
      String key = ArtifactKeys.join(prefix, f.getKey());
      Path target = localPath(localDir, f.getKey());
      Path staging = AtomicFiles.stagingFileFor(target);
      try {
        try {
          store.download(key, staging);
        } catch (ArtifactNotFoundException e) {
          throw missing(store, key, e);
        }
        verify(store, key, f.getValue(), Sha256.entryOf(staging));
        AtomicFiles.moveIntoPlace(staging, target);
      } finally {
        Files.deleteIfExists(staging);
      }
    }
    AtomicFiles.write(localDir.resolve(Manifest.FILE_NAME), out -> out.write(manifest.toJson()));
    return manifest;
  }

  private static FileEntry listed(ArtifactStore store, Manifest manifest, String prefix, String name)
      throws ArtifactNotFoundException {
    String key = ArtifactKeys.join(prefix, name);
    return manifest
        .file(name)
        .orElseThrow(
            () ->
                new ArtifactNotFoundException(
                    key,
                    store.location() + ": the manifest under '" + prefix + "' lists no file '" + name
                        + "' (it lists " + manifest.files().keySet() + ")"));
  }

  private static ArtifactIntegrityException missing(
      ArtifactStore store, String key, ArtifactNotFoundException cause) {
    return new ArtifactIntegrityException(
        key,
        store.location() + ": '" + key + "' is listed in its manifest but missing from the store;"
            + " the artifact is damaged, republish it",
        cause);
  }

  private static void verify(ArtifactStore store, String key, FileEntry expected, FileEntry actual)
      throws ArtifactIntegrityException {
    if (!expected.equals(actual)) {
      throw new ArtifactIntegrityException(
          key,
          store.location() + ": '" + key + "' does not match its manifest: expected "
              + expected.bytes() + " bytes with sha256 " + expected.sha256() + ", found "
              + actual.bytes() + " bytes with sha256 " + actual.sha256()
              + "; the object is corrupt or was overwritten after publication, republish the artifact");
    }
  }

  private static Path localPath(Path dir, String name) {
    Path p = dir;
    for (String segment : name.split("/")) {
      p = p.resolve(segment);
    }
    return p;
  }
}
