package dev.vvtq.qat.train;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vvtq.artifacts.store.ArtifactLayout;
import dev.vvtq.artifacts.store.ArtifactNotFoundException;
import dev.vvtq.artifacts.store.ArtifactStore;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * {@code runs/<id>/run.json}: a run's spec, status and metrics history, rewritten as the run goes,
 * so a restarted service can list past runs and resume interrupted ones.
 *
 * @param kind "train" or "label"
 * @param spec the job's spec as JSON (a {@link TrainSpec} for training)
 */
public record RunRecord(
    String runId, String kind, RunStatus status, ObjectNode spec, String created, String updated,
    String message, int epochsDone, int totalEpochs, double bestTop1, String bestCheckpoint,
    String latestCheckpoint, List<EpochRecord> history) {

  static final ObjectMapper JSON = new ObjectMapper()
      .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(SerializationFeature.INDENT_OUTPUT);

  /** The key of a run's record. */
  public static String key(String runId) {
    return ArtifactLayout.runRecord(runId);
  }

  /** A new record of a queued or starting run. */
  public static RunRecord create(String runId, String kind, RunStatus status, Object spec, int totalEpochs) {
    String now = Instant.now().toString();
    return new RunRecord(runId, kind, status, JSON.valueToTree(spec), now, now, "", 0, totalEpochs, -1,
        null, null, List.of());
  }

  /** A copy with another status and message, updated now. */
  public RunRecord withStatus(RunStatus s, String msg) {
    return new RunRecord(runId, kind, s, spec, created, Instant.now().toString(), msg, epochsDone, totalEpochs,
        bestTop1, bestCheckpoint, latestCheckpoint, history);
  }

  /** Seconds the recorded passes trained, over every invocation that added to the run (a resume included). */
  public double trainingSeconds() {
    return history.stream().mapToDouble(EpochRecord::seconds).sum();
  }

  /** A copy with a longer history and checkpoint pointers, updated now. */
  public RunRecord withProgress(List<EpochRecord> h, double best, String bestCkpt, String latestCkpt) {
    int done = h.isEmpty() ? 0 : h.get(h.size() - 1).epochsDone();
    return new RunRecord(runId, kind, status, spec, created, Instant.now().toString(), message, done, totalEpochs,
        best, bestCkpt, latestCkpt, List.copyOf(h));
  }

  /** The spec as a training spec. */
  public TrainSpec trainSpec() {
    try {
      return JSON.treeToValue(spec, TrainSpec.class);
    } catch (IOException e) {
      throw new IllegalStateException("run " + runId + ": spec is not a training spec: " + e.getMessage(), e);
    }
  }

  /** JSON bytes. */
  public byte[] toJson() {
    try {
      return JSON.writeValueAsBytes(this);
    } catch (IOException e) {
      throw new IllegalStateException("cannot serialise run record", e);
    }
  }

  /** Parses a record. */
  public static RunRecord parse(byte[] json, String source) {
    try {
      return JSON.readValue(json, RunRecord.class);
    } catch (IOException e) {
      throw new IllegalArgumentException(source + ": not a run record: " + e.getMessage(), e);
    }
  }

  /** Writes the record to the store. */
  public void save(ArtifactStore store) throws IOException {
    store.put(key(runId), toJson());
  }

  /** Reads a run's record, if it exists. */
  public static Optional<RunRecord> load(ArtifactStore store, String runId) throws IOException {
    try {
      return Optional.of(parse(store.readBytes(key(runId)), key(runId)));
    } catch (ArtifactNotFoundException e) {
      return Optional.empty();
    }
  }

  /** Writes the history as JSON lines ({@code runs/<id>/metrics.jsonl}). */
  public void saveMetrics(ArtifactStore store) throws IOException {
    StringBuilder sb = new StringBuilder();
    ObjectMapper compact = JSON.copy().disable(SerializationFeature.INDENT_OUTPUT);
    for (EpochRecord r : history) {
      sb.append(compact.writeValueAsString(r)).append('\n');
    }
    store.put(ArtifactLayout.runMetrics(runId), sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }
}
