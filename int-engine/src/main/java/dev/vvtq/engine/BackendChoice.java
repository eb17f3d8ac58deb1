package dev.vvtq.engine;

import java.util.Locale;

/** Which {@link InferenceBackend} an engine runs on, as configured ({@code auto}, {@code java}, {@code onednn}). */
public enum BackendChoice {
  /** The fastest backend whose native code loads on this machine, else {@link #JAVA}. */
  AUTO,
  /** The pure-Java engine on the Vector API: runs wherever the JVM runs. */
  JAVA,
  /** Integer products as oneDNN int8 matmuls (VNNI / AMX); fails to open where its natives do not load. */
  ONEDNN;

  /** The configuration spelling of this choice. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses {@code auto}, {@code java} or {@code onednn} (any case); the error names the accepted values. */
  public static BackendChoice parse(String s) {
    for (BackendChoice c : values()) {
      if (c.id().equalsIgnoreCase(s.strip())) {
        return c;
      }
    }
    throw new IllegalArgumentException("unknown engine backend '" + s + "': use auto, java or onednn");
  }
}
