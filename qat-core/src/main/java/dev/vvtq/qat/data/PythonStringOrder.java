package dev.vvtq.qat.data;

import java.util.Comparator;

/**
 * Python's {@code sorted()} order on strings: by Unicode code point. Java's {@code compareTo}
 * compares UTF-16 units and disagrees for characters outside the BMP, which would renumber classes.
 */
final class PythonStringOrder implements Comparator<String> {
  static final PythonStringOrder INSTANCE = new PythonStringOrder();

  private PythonStringOrder() {}

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
    return Integer.compare(a.length() - i, b.length() - j);
  }
}
