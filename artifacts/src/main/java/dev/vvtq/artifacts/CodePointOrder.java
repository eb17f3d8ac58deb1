package dev.vvtq.artifacts;

import java.util.Comparator;

/**
 * Strings ordered by Unicode code point: the order of UTF-8 bytes (Rust's safetensors, S3 key
 * listings) and of Python's {@code sorted()}. {@link String#compareTo} compares UTF-16 units and
 * disagrees for characters above U+FFFF.
 */
public final class CodePointOrder implements Comparator<String> {
  /** The single instance. */
  public static final CodePointOrder INSTANCE = new CodePointOrder();

  private CodePointOrder() {}

  @Override
  public int compare(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Boolean.compare(i < a.length(), j < b.length());
  }
}
