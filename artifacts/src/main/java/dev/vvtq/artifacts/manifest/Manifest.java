package dev.vvtq.artifacts.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a published artifact consists of: its kind, when it was made, every file with size and
 * SHA-256, and free-form fields (epoch, step, metrics, config...) stored beside them at the top
 * level of {@code manifest.json}.
 *
 * @param format always {@link #FORMAT} for manifests written by this build
 * @param kind what was published, e.g. one of {@link ArtifactKinds}
 * @param created when the manifest was made
 * @param files file name (relative to the manifest's folder) to size and SHA-256
 * @param fields the other top-level JSON fields
 */
public record Manifest(
    String format,
    String kind,
    Instant created,
    SortedMap<String, FileEntry> files,
    ObjectNode fields) {
  /** The format string of this manifest version. */
  public static final String FORMAT = "vvtq.manifest/1";

  /** The file name a manifest is stored under, beside the files it names. */
  public static final String FILE_NAME = "manifest.json";

  /** Top-level names the manifest itself uses; free-form fields may not take them. */
  public static final Set<String> RESERVED_FIELDS = Set.of("format", "kind", "created", "files");

  public Manifest {
    if (format == null || format.isEmpty()) {
      throw new IllegalArgumentException("manifest format is missing");
    }
    if (kind == null || kind.isEmpty()) {
      throw new IllegalArgumentException("manifest kind is missing");
    }
    if (created == null) {
      throw new IllegalArgumentException("manifest created time is missing");
    }
    files = Collections.unmodifiableSortedMap(new TreeMap<>(files));
    for (String name : files.keySet()) {
      if (name.isEmpty()) {
        throw new IllegalArgumentException("manifest names a file with an empty name");
      }
    }
    // Normalised through JSON text so that equal manifests compare equal however they were built
    // (a long 7 and a parsed int 7 are different Jackson nodes).
    fields = ManifestJson.normalise(fields);
    for (String reserved : RESERVED_FIELDS) {
      if (fields.has(reserved)) {
        throw new IllegalArgumentException(
            "free-form field '" + reserved + "' clashes with the manifest's own " + RESERVED_FIELDS);
      }
    }
  }

  /**
   * A manifest made now, in the current format.
   *
   * @param fields values Jackson can turn into JSON (numbers, strings, maps, lists, records...)
   */
  public static Manifest create(String kind, Map<String, FileEntry> files, Map<String, ?> fields) {
    return new Manifest(
        FORMAT, kind, Instant.now(), new TreeMap<>(files), ManifestJson.toObject(fields));
  }

  /** Reads a manifest; {@code source} (a key or path) is named in every error. */
  public static Manifest parse(byte[] json, String source) {
    return ManifestJson.parse(json, source);
  }

  /** Pretty-printed UTF-8 JSON: format, kind, created, files, then the free-form fields. */
  public byte[] toJson() {
    return ManifestJson.write(this);
  }

  /** The entry of one file, if the manifest names it. */
  public Optional<FileEntry> file(String name) {
    return Optional.ofNullable(files.get(name));
  }

  /** One free-form field, if present. */
  public Optional<JsonNode> field(String name) {
    return Optional.ofNullable(fields.get(name));
  }

  /** A copy of the free-form fields (the record keeps its own). */
  @Override
  public ObjectNode fields() {
    return fields.deepCopy();
  }
}
