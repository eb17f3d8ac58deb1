package dev.vvtq.inference.registry;

import dev.vvtq.artifacts.store.ArtifactKeys;
import dev.vvtq.artifacts.store.ArtifactLayout;

/**
 * Where a model comes from and the name it is served under: store key {@code models/<name>/<version>}
 * gives name {@code <name>} and version {@code <version>} unless a name is given.
 */
public record ModelSource(String name, String version, String storeKey) {

  public ModelSource {
    if (name == null || !ArtifactLayout.isValidSegment(name)) {
      throw new IllegalArgumentException("invalid model name '" + name
          + "': 1 to 128 letters, digits, '.', '_' or '-', starting with a letter or digit");
    }
  }

  /**
   * Parses a store key with an optional explicit name ({@code null} or empty: from the key).
   *
   * @throws IllegalArgumentException naming what is wrong with the key or name
   */
  public static ModelSource of(String storeKey, String name) {
    if (storeKey == null || storeKey.isBlank()) {
      throw new IllegalArgumentException("store key is empty; give the exported model's folder, e.g. models/<name>/<version>");
    }
    String key = storeKey.endsWith("/") ? storeKey.substring(0, storeKey.length() - 1) : storeKey;
    ArtifactKeys.requireValidKey(key);
    String[] segments = key.split("/");
    String version = segments[segments.length - 1];
    if (name == null || name.isEmpty()) {
      if (segments.length != 3 || !segments[0].equals("models")) {
        throw new IllegalArgumentException("cannot derive a model name from store key '" + storeKey
            + "' (not of the form models/<name>/<version>); give a name");
      }
      name = segments[1];
    }
    return new ModelSource(name, version, key);
  }

  /** Parses a {@code name=key} configuration entry (or just a key). */
  public static ModelSource parseEntry(String entry) {
    String e = entry.trim();
    int eq = e.indexOf('=');
    return eq < 0 ? of(e, null) : of(e.substring(eq + 1).trim(), e.substring(0, eq).trim());
  }
}
