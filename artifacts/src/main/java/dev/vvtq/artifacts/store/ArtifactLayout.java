package dev.vvtq.artifacts.store;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The artifact layout's keys, built and parsed in this one place (the same in a folder and a
 * bucket): {@code runs/<id>/...}, {@code softlabels/<name>}, {@code models/<name>/<version>} and
 * {@code evaluations/<id>.json}.
 */
public final class ArtifactLayout {
  /** One id or name segment: a run id, a soft-label or model name, a model version. */
  public static final String SEGMENT = "[A-Za-z0-9][A-Za-z0-9._-]*";

  /** The longest id or name accepted from users (a key segment stays far below S3's 1024 bytes). */
  public static final int MAX_SEGMENT_LENGTH = 128;

  /** The top-level folder of training runs. */
  public static final String RUNS = "runs/";

  /** The top-level folder of evaluation records. */
  public static final String EVALUATIONS = "evaluations/";

  private static final Pattern MODEL_KEY = Pattern.compile("models/(" + SEGMENT + ")/(" + SEGMENT + ")/?");
  private static final Pattern RUN_RECORD = Pattern.compile("runs/(" + SEGMENT + ")/run\\.json");

  private ArtifactLayout() {}

  /** Whether {@code s} is a usable id, name or version: {@link #SEGMENT}, at most 128 characters. */
  public static boolean isValidSegment(String s) {
    return s != null && s.length() <= MAX_SEGMENT_LENGTH && s.matches(SEGMENT);
  }

  /** {@code runs/<id>}: a run's folder, which as a checkpoint reference names its latest checkpoint. */
  public static String run(String runId) {
    return RUNS + runId;
  }

  /** {@code runs/<id>@best}: the reference to a run's best checkpoint. */
  public static String bestCheckpointRef(String runId) {
    return run(runId) + "@best";
  }

  /** {@code runs/<id>/run.json}. */
  public static String runRecord(String runId) {
    return run(runId) + "/run.json";
  }

  /** {@code runs/<id>/metrics.jsonl}. */
  public static String runMetrics(String runId) {
    return run(runId) + "/metrics.jsonl";
  }

  /** The run id of a run record's key {@code runs/<id>/run.json}; empty for any other key. */
  public static Optional<String> runIdOfRecord(String key) {
    Matcher m = RUN_RECORD.matcher(key);
    return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
  }

  /** {@code runs/<id>/checkpoints}. */
  public static String checkpoints(String runId) {
    return run(runId) + "/checkpoints";
  }

  /** {@code runs/<id>/checkpoints/<step>}. */
  public static String checkpoint(String runId, long step) {
    return checkpoints(runId) + "/" + step;
  }

  /** {@code runs/<id>/checkpoints/<pointer>.json}, the pointer {@code latest} or {@code best}. */
  public static String checkpointPointer(String runId, String pointer) {
    return checkpoints(runId) + "/" + pointer + ".json";
  }

  /** {@code softlabels/<name>}. */
  public static String softLabels(String name) {
    return "softlabels/" + name;
  }

  /** {@code models/<name>/<version>}. */
  public static String model(String name, String version) {
    return "models/" + name + "/" + version;
  }

  /** The exported model's key that {@code ref} names ({@code models/<name>/<version>}, a trailing '/' allowed). */
  public static Optional<String> modelKey(String ref) {
    Matcher m = ref == null ? null : MODEL_KEY.matcher(ref);
    return m != null && m.matches() ? Optional.of(model(m.group(1), m.group(2))) : Optional.empty();
  }

  /** {@code evaluations/<id>.json}. */
  public static String evaluation(String id) {
    return EVALUATIONS + id + ".json";
  }
}
