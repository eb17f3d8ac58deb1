package dev.vvtq.qat.checkpoint;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vvtq.artifacts.errors.IntegrityException;
import dev.vvtq.artifacts.errors.InvalidInputException;
import dev.vvtq.artifacts.errors.NotFoundException;
import dev.vvtq.artifacts.files.ScratchFolder;
import dev.vvtq.artifacts.manifest.ArtifactKinds;
import dev.vvtq.artifacts.manifest.FileEntry;
import dev.vvtq.artifacts.manifest.Manifest;
import dev.vvtq.artifacts.manifest.Sha256;
import dev.vvtq.artifacts.safetensors.SafetensorsReader;
import dev.vvtq.artifacts.safetensors.SafetensorsWriter;
import dev.vvtq.artifacts.store.ArtifactLayout;
import dev.vvtq.artifacts.store.ArtifactNotFoundException;
import dev.vvtq.artifacts.store.ArtifactStore;
import dev.vvtq.qat.model.DeitConfigJson;
import dev.vvtq.qat.model.QuantDeit;
import dev.vvtq.qat.train.AdamW;
import dev.vvtq.qat.train.EpochRecord;
import dev.vvtq.qat.train.RunRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A run's checkpoints in the artifact store: {@code runs/<id>/checkpoints/<step>/} with model,
 * optimizer and manifest (written last), and the {@code latest.json} / {@code best.json} pointers
 * written after the checkpoint they name is complete.
 */
public final class CheckpointRepository {
  /**
   * The manifest field holding the whole {@link EpochRecord} of the pass a checkpoint ends. The
   * manifest is the checkpoint's commit point and is written before {@code run.json}, so a crash
   * between the two leaves the record behind the checkpoints, never ahead; {@link #reconcile}
   * catches it up from here.
   */
  public static final String EPOCH_RECORD_FIELD = "epoch_record";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper RECORD_JSON = new ObjectMapper()
      .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private final ArtifactStore store;
  private final String runId;

  public CheckpointRepository(ArtifactStore store, String runId) {
    this.store = store;
    this.runId = runId;
  }

  /** {@code runs/<id>}. */
  public String runPrefix() {
    return ArtifactLayout.run(runId);
  }

  /** {@code runs/<id>/checkpoints}. */
  public String checkpointsPrefix() {
    return ArtifactLayout.checkpoints(runId);
  }

  /** A published checkpoint. */
  public record Saved(String prefix, long step, int epoch) {}

  /**
   * Publishes a checkpoint and moves the {@code latest} pointer (and {@code best} when {@code best}).
   *
   * @param fields extra manifest fields (metrics, spec...)
   */
  public Saved save(QuantDeit model, AdamW optimizer, TrainingState state, Map<String, ?> fields, boolean best)
      throws IOException {
    String prefix = ArtifactLayout.checkpoint(runId, state.globalStep());
    try (ScratchFolder scratch = ScratchFolder.create("vvtq-ckpt-")) {
      Path staging = scratch.path();
      Path modelFile = staging.resolve("model.safetensors");
      ModelWeights.save(model, modelFile);
      Map<String, Path> files = new LinkedHashMap<>();
      files.put("model.safetensors", modelFile);
      if (optimizer != null) {
        Path optFile = staging.resolve("optimizer.safetensors");
        SafetensorsWriter w = new SafetensorsWriter();
        w.putMetadata("format", "vvtq-adamw/1");
        w.putMetadata("steps", Long.toString(optimizer.steps()));
        optimizer.state().forEach((k, v) -> w.addF32(k, new long[] {v.length}, v));
        w.writeTo(optFile);
        files.put("optimizer.safetensors", optFile);
      }
      Map<String, Object> all = new LinkedHashMap<>(fields);
      all.put("run_id", runId);
      all.put("config", DeitConfigJson.toJson(model.config()));
      all.put("state", stateJson(state));
      store.publish(prefix, ArtifactKinds.CHECKPOINT, files, all);
      byte[] pointer = pointer(prefix, state);
      store.put(ArtifactLayout.checkpointPointer(runId, "latest"), pointer);
      if (best) {
        store.put(ArtifactLayout.checkpointPointer(runId, "best"), pointer);
      }
      return new Saved(prefix, state.globalStep(), state.epoch());
    }
  }

  /** An epoch record as the {@link #EPOCH_RECORD_FIELD} of a checkpoint manifest. */
  public static JsonNode epochRecordJson(EpochRecord rec) {
    return RECORD_JSON.valueToTree(rec);
  }

  /**
   * Brings a resumed run's record in line with its checkpoints, the ones that survived any crash:
   * removes staging files killed writers left under the run, keeps the recorded passes up to the
   * resumed checkpoint, adds every pass a checkpoint manifest holds that the record lost (a crash
   * after the checkpoint was published and before {@code run.json} was rewritten), and points
   * {@code latest} at the newest checkpoint not after the resumed one. When the history changed,
   * {@code run.json} and {@code metrics.jsonl} are rewritten before training continues.
   */
  public RunRecord reconcile(RunRecord record, TrainingState resumedAt) throws IOException {
    store.removeLeftOverStaging(runPrefix() + "/");
    int epochsDone = resumedAt.epoch();
    TreeMap<Integer, EpochRecord> byEpoch = new TreeMap<>();
    record.history().stream().filter(h -> h.epochsDone() <= epochsDone).forEach(h -> byEpoch.put(h.epoch(), h));
    int kept = byEpoch.size();
    String latest = record.latestCheckpoint();
    long latestStep = -1;
    for (Manifest m : list()) {
      long step = m.field("state").map(n -> n.path("global_step").asLong(-1)).orElse(-1L);
      if (step < 0 || step > resumedAt.globalStep()) {
        continue;
      }
      String prefix = checkpointsPrefix() + "/" + step;
      if (step > latestStep) {
        latestStep = step;
        latest = prefix;
      }
      JsonNode pass = m.field(EPOCH_RECORD_FIELD).orElse(null);
      if (pass != null) {
        EpochRecord rec = RECORD_JSON.treeToValue(pass, EpochRecord.class).withCheckpoint(prefix);
        if (rec.epochsDone() <= epochsDone) {
          byEpoch.putIfAbsent(rec.epoch(), rec);
        }
      }
    }
    RunRecord out = record.withProgress(new ArrayList<>(byEpoch.values()), record.bestTop1(), record.bestCheckpoint(),
        latest);
    if (byEpoch.size() != kept) {
      out.save(store);
      out.saveMetrics(store);
    }
    return out;
  }

  static ObjectNode stateJson(TrainingState s) {
    ObjectNode n = JSON.createObjectNode();
    n.put("epoch", s.epoch());
    n.put("batch_in_pass", s.batchInPass());
    n.put("global_step", s.globalStep());
    n.put("best_top1", s.bestTop1());
    n.put("best_step", s.bestStep());
    return n;
  }

  private static byte[] pointer(String prefix, TrainingState s) {
    ObjectNode n = JSON.createObjectNode();
    n.put("prefix", prefix);
    n.put("step", s.globalStep());
    n.put("epoch", s.epoch());
    return n.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** The published checkpoints of this run (by step), newest last. */
  public List<Manifest> list() throws IOException {
    List<Manifest> out = new ArrayList<>();
    for (String key : store.list(checkpointsPrefix() + "/")) {
      if (key.endsWith("/" + Manifest.FILE_NAME)) {
        out.add(store.readManifest(key.substring(0, key.length() - Manifest.FILE_NAME.length() - 1)));
      }
    }
    out.sort(java.util.Comparator.comparingLong(m -> m.field("state").map(s -> s.path("global_step").asLong()).orElse(0L)));
    return out;
  }

  /**
   * Resolves what a user names as a checkpoint to verified local files:
   *
   * <ul>
   *   <li>a local folder holding {@code manifest.json} (files checked against it);
   *   <li>a local {@code .safetensors} file (a bare model, e.g. for {@code --finetune});
   *   <li>a store prefix {@code runs/<id>} (its latest checkpoint), {@code runs/<id>@best}, or
   *       {@code runs/<id>/checkpoints/<step>}.
   * </ul>
   */
  public static LoadedCheckpoint resolve(ArtifactStore store, String ref, Path workDir) throws IOException {
    Path local = Path.of(ref);
    if (Files.isRegularFile(local)) {
      try (SafetensorsReader r = SafetensorsReader.open(local)) {
        ModelWeights.config(r);
      }
      return new LoadedCheckpoint(ref, local, null, null);
    }
    if (Files.isDirectory(local)) {
      Path manifestFile = local.resolve(Manifest.FILE_NAME);
      if (!Files.isRegularFile(manifestFile)) {
        throw new InvalidInputException(
            ref + " has no manifest.json: it is not a complete checkpoint (name the model.safetensors file to use it anyway)");
      }
      Manifest m = Manifest.parse(Files.readAllBytes(manifestFile), manifestFile.toString());
      for (Map.Entry<String, FileEntry> e : m.files().entrySet()) {
        Path f = local.resolve(e.getKey());
        if (!Files.isRegularFile(f)) {
          throw new IntegrityException(ref + ": manifest names " + e.getKey() + " but the file is missing");
        }
        FileEntry actual = Sha256.entryOf(f);
        if (!actual.equals(e.getValue())) {
          throw new IntegrityException(ref + ": " + e.getKey() + " does not match its manifest (sha256 "
              + actual.sha256() + ", expected " + e.getValue().sha256() + "): the checkpoint is corrupt");
        }
      }
      return fromFolder(ref, local, m);
    }
    String prefix = storePrefix(store, ref);
    Path into = Files.createTempDirectory(Files.createDirectories(workDir), "ckpt-");
    Manifest m;
    try {
      m = store.fetchVerified(prefix, into);
    } catch (ArtifactNotFoundException e) {
      throw new NotFoundException(
          "no checkpoint at '" + ref + "' (not a local file or folder, and no manifest under " + store.location()
              + prefix + ")", e);
    }
    return fromFolder(ref, into, m);
  }

  private static LoadedCheckpoint fromFolder(String ref, Path dir, Manifest m) {
    if (!ArtifactKinds.CHECKPOINT.equals(m.kind())) {
      throw new InvalidInputException(ref + " is a '" + m.kind() + "' artifact, not a checkpoint");
    }
    Path opt = m.file("optimizer.safetensors").isPresent() ? dir.resolve("optimizer.safetensors") : null;
    return new LoadedCheckpoint(ref, dir.resolve("model.safetensors"), opt, m);
  }

  private static String storePrefix(ArtifactStore store, String ref) throws IOException {
    String r = ref.endsWith("/") ? ref.substring(0, ref.length() - 1) : ref;
    String pointer = null;
    if (r.endsWith("@best")) {
      pointer = r.substring(0, r.length() - 5) + "/checkpoints/best.json";
    } else if (r.matches("runs/[^/]+")) {
      pointer = r + "/checkpoints/latest.json";
    }
    if (pointer == null) {
      return r;
    }
    try {
      JsonNode p = JSON.readTree(store.readBytes(pointer));
      return p.path("prefix").asText();
    } catch (ArtifactNotFoundException e) {
      throw new NotFoundException("run '" + ref + "' has no checkpoint yet (" + pointer + " not found)", e);
    }
  }

  /** Reads an optimizer file into the optimizer (moments and step count). */
  public static void loadOptimizer(AdamW optimizer, Path file) throws IOException {
    try (SafetensorsReader r = SafetensorsReader.open(file)) {
      if (!"vvtq-adamw/1".equals(r.metadata().get("format"))) {
        throw new IllegalArgumentException(file + " is not a vvtq optimizer state file");
      }
      Map<String, float[]> state = new LinkedHashMap<>();
      for (String name : r.tensors().keySet()) {
        state.put(name, r.floats(name));
      }
      optimizer.load(state, Long.parseLong(r.metadata().getOrDefault("steps", "0")));
    }
  }
}
