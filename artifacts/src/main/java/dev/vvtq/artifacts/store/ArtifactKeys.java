package dev.vvtq.artifacts.store;

import dev.vvtq.artifacts.CodePointOrder;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;

/**
 * Rules for store keys such as {@code runs/r1/checkpoints/100/model.safetensors}: the same in a
 * folder and a bucket, so that a key can never escape a local root or mean two things.
 */
public final class ArtifactKeys {
  /** S3's limit on a key, in UTF-8 bytes. */
  public static final int MAX_KEY_BYTES = 1024;

  /** Code point order, which equals S3's UTF-8 byte order; both stores list keys in it. */
  public static final Comparator<String> ORDER = CodePointOrder.INSTANCE;

  private ArtifactKeys() {}

  /**
   * Returns the key if it is valid, else fails saying why: non-empty '/'-separated segments, none
   * empty or starting with '.', no backslash or control character, at most 1024 UTF-8 bytes.
   */
  public static String requireValidKey(String key) {
    String problem = problem(key);
    if (problem != null) {
      throw new IllegalArgumentException("invalid artifact key '" + key + "': " + problem);
    }
    return key;
  }

  /** Returns a listing prefix if valid: empty, or the start of some valid key (it may end in '/'). */
  public static String requireValidPrefix(String prefix) {
    if (prefix == null) {
      throw new IllegalArgumentException("artifact key prefix is null (use \"\" for all keys)");
    }
    if (!prefix.isEmpty()) {
      String problem = problem(prefix + "x");
      if (problem != null) {
        throw new IllegalArgumentException("invalid artifact key prefix '" + prefix + "': " + problem);
      }
    }
    return prefix;
  }

  /** {@code prefix + "/" + name}, both validated. */
  public static String join(String prefix, String name) {
    return requireValidKey(requireValidKey(prefix) + "/" + requireValidKey(name));
  }

  private static String problem(String key) {
    if (key == null || key.isEmpty()) {
      return "empty";
    }
    if (key.getBytes(StandardCharsets.UTF_8).length > MAX_KEY_BYTES) {
      return "longer than " + MAX_KEY_BYTES + " UTF-8 bytes";
    }
    if (key.startsWith("/")) {
      return "absolute (starts with '/'); keys are relative to the store's root";
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c == '\\') {
        return "contains '\\' (use '/' between segments)";
      }
      if (c < 0x20 || c == 0x7f) {
        return "contains control character U+" + String.format("%04X", (int) c);
      }
      if (Character.isHighSurrogate(c)
          && i + 1 < key.length()
          && Character.isLowSurrogate(key.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return "contains an unpaired surrogate";
      }
    }
    for (String segment : key.split("/", -1)) {
      if (segment.isEmpty()) {
        return "has an empty segment ('//' or a trailing '/')";
      }
      if (segment.startsWith(".")) {
        // Covers '.' and '..'; also reserves hidden names for the local store's staging files.
        return "segment '" + segment + "' starts with '.'";
      }
    }
    return null;
  }
}
