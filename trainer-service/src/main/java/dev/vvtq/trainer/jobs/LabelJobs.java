package dev.vvtq.trainer.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.vvtq.artifacts.store.ArtifactLayout;
import dev.vvtq.proto.v1.LabelSpec;

/** The stored form of label specs and where they publish (defaults: {@link dev.vvtq.qat.jobs.SoftLabelJob}). */
public final class LabelJobs {
  private static final ObjectMapper JSON = new ObjectMapper();

  private LabelJobs() {}

  /** Where a label job publishes: {@code softlabels/<out_name>}. */
  public static String prefix(LabelSpec spec) {
    return ArtifactLayout.softLabels(spec.getOutName());
  }

  /** The spec as JSON with the proto's field names, for the run record. */
  static JsonNode toJson(LabelSpec spec) {
    try {
      return JSON.readTree(JsonFormat.printer().preservingProtoFieldNames().print(spec));
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot print a label spec", e);
    }
  }

  static LabelSpec fromJson(JsonNode json) {
    try {
      LabelSpec.Builder b = LabelSpec.newBuilder();
      JsonFormat.parser().ignoringUnknownFields().merge(json.toString(), b);
      return b.build();
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("not a label spec: " + e.getMessage(), e);
    }
  }
}
