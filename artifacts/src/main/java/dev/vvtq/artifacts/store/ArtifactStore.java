package dev.vvtq.artifacts.store;

import dev.vvtq.artifacts.manifest.Manifest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Objects under '/'-separated keys (see {@link ArtifactKeys}), in a local folder or an S3 bucket,
 * plus manifest-based publication: {@link #publish} writes {@code <prefix>/manifest.json} after
 * every file it names, and the verified reads trust nothing but that manifest.
 *
 * <p>Writes of one key are atomic: a reader sees the old object, the new one or none, never part.
 */
public interface ArtifactStore extends AutoCloseable {

  /** Where the store lives, e.g. {@code file:/data/vvtq/} or {@code s3://bucket/prefix}. */
  String location();

  /** Stores a local file under a key, replacing any object there. */
  void put(String key, Path file) throws IOException;

  /** Stores bytes under a key, replacing any object there. */
  void put(String key, byte[] content) throws IOException;

  /** The whole object; {@link ArtifactNotFoundException} when absent. */
  byte[] readBytes(String key) throws IOException;

  /** A stream over the object, to be closed by the caller; {@link ArtifactNotFoundException} when absent. */
  InputStream open(String key) throws IOException;

  /** Copies the object to a local file (written beside it, then renamed into place). */
  void download(String key, Path target) throws IOException;

  /** Whether an object exists under exactly this key. */
  boolean exists(String key) throws IOException;

  /** Every key starting with the prefix (plain string prefix, "" for all), in {@link ArtifactKeys#ORDER}. */
  List<String> list(String prefix) throws IOException;

  /** Removes the object if present; removing a missing key is not an error. */
  void delete(String key) throws IOException;

  /**
   * Publishes files as one artifact: uploads each file to {@code <prefix>/<name>}, then writes
   * {@code <prefix>/manifest.json} naming them with size and SHA-256. Any manifest already there is
   * removed first, so readers see the old artifact, none, or the new one complete. The local files
   * must not change while this runs.
   *
   * @param kind what is published, e.g. {@link dev.vvtq.artifacts.manifest.ArtifactKinds#CHECKPOINT}
   * @param files name (a relative key, not {@code manifest.json}) to local file
   * @param fields free-form manifest fields (epoch, step, metrics, config...)
   */
  default Manifest publish(String prefix, String kind, Map<String, Path> files, Map<String, ?> fields)
      throws IOException {
    return Publication.publish(this, prefix, kind, files, fields);
  }

  /** The manifest under a prefix; {@link ArtifactNotFoundException} if none (not published, or unfinished). */
  default Manifest readManifest(String prefix) throws IOException {
    return Publication.readManifest(this, prefix);
  }

  /**
   * One file of a published artifact, checked against the manifest's size and SHA-256; {@link
   * ArtifactIntegrityException} naming the key on any mismatch.
   */
  default byte[] readVerified(String prefix, String name) throws IOException {
    return Publication.readVerified(this, prefix, name);
  }

  /**
   * Downloads every file of a published artifact into a local folder, verifying each against the
   * manifest before it takes its final name, and writes the manifest there last.
   */
  default Manifest fetchVerified(String prefix, Path localDir) throws IOException {
    return Publication.fetchVerified(this, prefix, localDir);
  }

  /**
   * Removes what writers killed mid-write left under a prefix (staging files), keeping a live
   * writer's. Returns how many were removed. Object stores have nothing to remove: each object is
   * written by one request, so a killed upload leaves no object at all.
   */
  default int removeLeftOverStaging(String prefix) throws IOException {
    return 0;
  }

  /** Releases connections; local stores hold none. */
  @Override
  void close() throws IOException;
}
