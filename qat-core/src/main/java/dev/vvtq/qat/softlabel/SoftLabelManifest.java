package dev.vvtq.qat.softlabel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vvtq.artifacts.files.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code softlabels.json} of a soft-label folder ({@code softlabels/<name>/} of the artifact layout),
 * written after every shard it names is complete. It binds the labels to a dataset (class names,
 * image count, listing hash) and records how they were made.
 */
public record SoftLabelManifest(
    String name, List<String> classes, int imageCount, String listingSha256, int cropsPerImage, int topK,
    long seed, int inputSize, int imagesPerShard, String teacher, String created, List<Shard> shards) {

  /** Format tag of the manifest and of every shard's metadata. */
  public static final String FORMAT = "vvtq-softlabels/1";
  /** File name of the manifest inside the folder. */
  // Not manifest.json: publishing the folder through the artifact store adds that one (with the
  // sha256 of every shard and of this file).
  public static final String FILE = "softlabels.json";

  private static final ObjectMapper JSON = new ObjectMapper();

  /** One shard file: images {@code [first, first + count)}, its size and SHA-256. */
  public record Shard(String file, int first, int count, long bytes, String sha256) {}

  public SoftLabelManifest {
    classes = List.copyOf(classes);
    shards = List.copyOf(shards);
  }

  public int numClasses() {
    return classes.size();
  }

  /** The generation parameters and dataset identity, without shards: what a resumed run must match. */
  ObjectNode identity() {
    ObjectNode o = JSON.createObjectNode();
    o.put("format", FORMAT);
    o.put("name", name);
    o.set("classes", JSON.valueToTree(classes));
    o.put("image_count", imageCount);
    o.put("listing_sha256", listingSha256);
    o.put("crops_per_image", cropsPerImage);
    o.put("top_k", topK);
    o.put("seed", seed);
    o.put("input_size", inputSize);
    o.put("images_per_shard", imagesPerShard);
    return o;
  }

  ObjectNode toJson() {
    ObjectNode o = identity();
    o.put("teacher", teacher);
    o.put("created", created);
    ArrayNode arr = o.putArray("shards");
    for (Shard s : shards) {
      ObjectNode n = arr.addObject();
      n.put("file", s.file());
      n.put("first", s.first());
      n.put("count", s.count());
      n.put("bytes", s.bytes());
      n.put("sha256", s.sha256());
    }
    return o;
  }

  void write(Path folder) throws IOException {
    AtomicFiles.write(folder.resolve(FILE), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(toJson()));
  }

  /** Reads {@code folder/manifest.json}, failing with what is wrong and what to do. */
  public static SoftLabelManifest read(Path folder) throws IOException {
    Path file = folder.resolve(FILE);
    if (!Files.isRegularFile(file)) {
      throw new IOException(folder + " has no " + FILE + ": the soft labels are missing or their generation did not finish"
          + " (run the generator again on the same folder to resume)");
    }
    JsonNode o;
    try {
      o = JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new IOException(file + " is not valid JSON: " + e.getMessage(), e);
    }
    if (!FORMAT.equals(o.path("format").asText())) {
      throw new IOException(file + ": format '" + o.path("format").asText() + "' is not " + FORMAT);
    }
    List<String> classes = new ArrayList<>();
    o.path("classes").forEach(c -> classes.add(c.asText()));
    List<Shard> shards = new ArrayList<>();
    for (JsonNode s : o.path("shards")) {
      shards.add(new Shard(s.path("file").asText(), s.path("first").asInt(), s.path("count").asInt(),
          s.path("bytes").asLong(), s.path("sha256").asText()));
    }
    for (String field : new String[] {"image_count", "crops_per_image", "top_k", "input_size", "images_per_shard"}) {
      if (!o.path(field).isInt()) {
        throw new IOException(file + ": missing or non-integer '" + field + "'");
      }
    }
    return new SoftLabelManifest(o.path("name").asText(), classes, o.path("image_count").asInt(),
        o.path("listing_sha256").asText(), o.path("crops_per_image").asInt(), o.path("top_k").asInt(),
        o.path("seed").asLong(), o.path("input_size").asInt(), o.path("images_per_shard").asInt(),
        o.path("teacher").asText(), o.path("created").asText(), shards);
  }
}
