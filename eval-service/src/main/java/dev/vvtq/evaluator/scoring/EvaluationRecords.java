package dev.vvtq.evaluator.scoring;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.vvtq.artifacts.store.ArtifactLayout;
import dev.vvtq.artifacts.store.ArtifactNotFoundException;
import dev.vvtq.artifacts.store.ArtifactStore;
import dev.vvtq.proto.v1.ArtifactRef;
import dev.vvtq.proto.v1.Evaluation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.logging.Logger;

/** Evaluations in the store, {@code evaluations/<id>.json}: the API's message as JSON with the proto's field names. */
public final class EvaluationRecords {
  private static final Logger LOG = Logger.getLogger(EvaluationRecords.class.getName());

  private final ArtifactStore store;

  public EvaluationRecords(ArtifactStore store) {
    this.store = store;
  }

  public static String key(String id) {
    return ArtifactLayout.evaluation(id);
  }

  public void save(Evaluation e) throws IOException {
    store.put(key(e.getId()), JsonFormat.printer().preservingProtoFieldNames().print(e).getBytes(StandardCharsets.UTF_8));
  }

  public Evaluation get(String id) throws IOException {
    if (id == null || !ArtifactLayout.isValidSegment(id)) {
      throw new IllegalArgumentException("id: an evaluation id, got '" + id + "'");
    }
    try {
      return parse(store.readBytes(key(id)), key(id));
    } catch (ArtifactNotFoundException e) {
      throw new ArtifactMissingException("no evaluation '" + id + "'");
    }
  }

  /** Newest first; only those of {@code artifact} when it is set. */
  public List<Evaluation> list(ArtifactRef artifact, int limit) throws IOException {
    List<Evaluation> out = new ArrayList<>();
    for (String key : store.list(ArtifactLayout.EVALUATIONS)) {
      if (!key.endsWith(".json")) {
        continue;
      }
      try {
        Evaluation e = parse(store.readBytes(key), key);
        if (artifact.getRefCase() == ArtifactRef.RefCase.REF_NOT_SET || artifact.equals(e.getArtifact())) {
          out.add(e);
        }
      } catch (IOException | IllegalStateException e) {
        LOG.warning("skipping unreadable evaluation " + key + ": " + e.getMessage());
      }
    }
    out.sort(Comparator.comparingLong((Evaluation e) -> e.getStarted().getSeconds() * 1_000_000_000L + e.getStarted().getNanos())
        .reversed());
    return out.size() > limit ? out.subList(0, limit) : out;
  }

  private static Evaluation parse(byte[] json, String key) {
    try {
      Evaluation.Builder b = Evaluation.newBuilder();
      JsonFormat.parser().ignoringUnknownFields().merge(new String(json, StandardCharsets.UTF_8), b);
      return b.build();
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(key + " is not an evaluation: " + e.getMessage(), e);
    }
  }
}
