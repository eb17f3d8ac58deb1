package dev.vvtq.qat.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vvtq.artifacts.manifest.Manifest;
import dev.vvtq.artifacts.store.ArtifactLayout;
import dev.vvtq.artifacts.store.ArtifactNotFoundException;
import dev.vvtq.artifacts.store.ArtifactStore;
import java.io.IOException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checkpoints named by store keys, as services accept them: {@code runs/<id>} (its latest),
 * {@code runs/<id>@best}, {@code runs/<id>/checkpoints/<step>} and {@code
 * runs/<id>/checkpoints/best|latest}, resolved through the pointers to the folder's key.
 */
public final class CheckpointKeys {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern REF =
      Pattern.compile("runs/(" + ArtifactLayout.SEGMENT + ")(?:@(best|latest)|/checkpoints/([A-Za-z0-9._-]+))?/?");

  private CheckpointKeys() {}

  /** Whether {@code ref} has one of the store-key forms (it may still name nothing). */
  public static boolean isStoreRef(String ref) {
    return ref != null && REF.matcher(ref).matches();
  }

  /** The run id a store-key reference names; empty for other references. */
  public static Optional<String> runId(String ref) {
    Matcher m = ref == null ? null : REF.matcher(ref);
    return m != null && m.matches() ? Optional.of(m.group(1)) : Optional.empty();
  }

  /**
   * The reference in the form {@link CheckpointRepository#resolve} reads: {@code
   * runs/<id>/checkpoints/best} becomes {@code runs/<id>@best}, {@code .../latest} and {@code
   * runs/<id>@latest} become {@code runs/<id>}; anything else is returned unchanged.
   */
  public static String canonical(String ref) {
    Matcher m = ref == null ? null : REF.matcher(ref);
    if (m == null || !m.matches()) {
      return ref;
    }
    String pointer = m.group(2) != null ? m.group(2) : m.group(3);
    if ("best".equals(pointer)) {
      return ArtifactLayout.bestCheckpointRef(m.group(1));
    }
    if (pointer == null || "latest".equals(pointer)) {
      return ArtifactLayout.run(m.group(1));
    }
    return ArtifactLayout.checkpoints(m.group(1)) + "/" + pointer;
  }

  /**
   * The key of the published checkpoint folder ({@code runs/<id>/checkpoints/<step>}) that {@code ref}
   * names; empty when the run has no such pointer or the folder has no manifest.
   *
   * @throws IllegalArgumentException when {@code ref} is not a store-key reference
   */
  public static Optional<String> resolve(ArtifactStore store, String ref) throws IOException {
    Matcher m = REF.matcher(ref == null ? "" : ref);
    if (!m.matches()) {
      throw new IllegalArgumentException("'" + ref + "' is not a checkpoint key: use runs/<run-id>, runs/<run-id>@best,"
          + " runs/<run-id>/checkpoints/<step> or runs/<run-id>/checkpoints/best|latest");
    }
    String checkpoints = ArtifactLayout.checkpoints(m.group(1));
    String pointer = m.group(2) != null ? m.group(2) : m.group(3) == null ? "latest" : m.group(3);
    String key;
    if (pointer.equals("best") || pointer.equals("latest")) {
      try {
        JsonNode p = JSON.readTree(store.readBytes(checkpoints + "/" + pointer + ".json"));
        key = p.path("prefix").asText();
      } catch (ArtifactNotFoundException e) {
        return Optional.empty();
      }
    } else {
      key = checkpoints + "/" + pointer;
    }
    return store.exists(key + "/" + Manifest.FILE_NAME) ? Optional.of(key) : Optional.empty();
  }
}
