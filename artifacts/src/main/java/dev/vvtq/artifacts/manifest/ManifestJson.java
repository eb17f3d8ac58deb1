package dev.vvtq.artifacts.manifest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.TreeMap;

/** Jackson mapping of {@link Manifest}, strict on read so that a damaged manifest is never half-trusted. */
final class ManifestJson {
  static final ObjectMapper MAPPER =
      new ObjectMapper()
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(SerializationFeature.INDENT_OUTPUT);

  private ManifestJson() {}

  static ObjectNode toObject(Map<String, ?> fields) {
    ObjectNode node = MAPPER.createObjectNode();
    if (fields != null) {
      fields.forEach((k, v) -> node.set(k, MAPPER.valueToTree(v)));
    }
    return node;
  }

  static ObjectNode normalise(ObjectNode fields) {
    if (fields == null) {
      return MAPPER.createObjectNode();
    }
    try {
      return (ObjectNode) MAPPER.readTree(MAPPER.writeValueAsBytes(fields));
    } catch (IOException e) {
      throw new IllegalArgumentException("manifest fields cannot be written as JSON: " + e.getMessage(), e);
    }
  }

  static byte[] write(Manifest m) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("format", m.format());
    root.put("kind", m.kind());
    root.put("created", m.created().toString());
    ObjectNode files = root.putObject("files");
    m.files()
        .forEach(
            (name, e) -> files.putObject(name).put("bytes", e.bytes()).put("sha256", e.sha256()));
    root.setAll(m.fields());
    try {
      return MAPPER.writeValueAsBytes(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree failed to serialise", e);
    }
  }

  static Manifest parse(byte[] json, String source) {
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (IOException e) {
      throw new ManifestFormatException(
          source + ": manifest is not valid JSON: " + originalMessage(e), e);
    }
    if (root == null || !root.isObject()) {
      throw new ManifestFormatException(source + ": manifest is not a JSON object");
    }
    String format = text(root, "format", source);
    if (!format.equals(Manifest.FORMAT)) {
      throw new ManifestFormatException(
          source + ": unsupported manifest format '" + format + "' (this build reads "
              + Manifest.FORMAT + ")");
    }
    String kind = text(root, "kind", source);
    Instant created;
    try {
      created = Instant.parse(text(root, "created", source));
    } catch (DateTimeParseException e) {
      throw new ManifestFormatException(
          source + ": manifest field 'created' is not an ISO-8601 instant: " + root.get("created"));
    }
    JsonNode filesNode = root.get("files");
    if (filesNode == null || !filesNode.isObject()) {
      throw new ManifestFormatException(source + ": manifest lacks a 'files' object");
    }
    TreeMap<String, FileEntry> files = new TreeMap<>();
    for (Map.Entry<String, JsonNode> f : filesNode.properties()) {
      files.put(f.getKey(), fileEntry(f.getKey(), f.getValue(), source));
    }
    ObjectNode fields = MAPPER.createObjectNode();
    for (Map.Entry<String, JsonNode> e : root.properties()) {
      if (!Manifest.RESERVED_FIELDS.contains(e.getKey())) {
        fields.set(e.getKey(), e.getValue());
      }
    }
    try {
      return new Manifest(format, kind, created, files, fields);
    } catch (IllegalArgumentException e) {
      throw new ManifestFormatException(source + ": " + e.getMessage(), e);
    }
  }

  private static FileEntry fileEntry(String name, JsonNode node, String source) {
    String where = source + ": manifest entry for file '" + name + "'";
    if (!node.isObject()) {
      throw new ManifestFormatException(where + " is not an object");
    }
    JsonNode bytes = node.get("bytes");
    if (bytes == null || !bytes.isIntegralNumber() || !bytes.canConvertToLong()) {
      throw new ManifestFormatException(where + " lacks an integer 'bytes'");
    }
    JsonNode sha = node.get("sha256");
    if (sha == null || !sha.isTextual()) {
      throw new ManifestFormatException(where + " lacks a string 'sha256'");
    }
    try {
      return new FileEntry(bytes.asLong(), sha.asText());
    } catch (IllegalArgumentException e) {
      throw new ManifestFormatException(where + ": " + e.getMessage(), e);
    }
  }

  private static String text(JsonNode root, String field, String source) {
    JsonNode n = root.get(field);
    if (n == null || !n.isTextual() || n.asText().isEmpty()) {
      throw new ManifestFormatException(
          source + ": manifest lacks a non-empty string field '" + field + "'");
    }
    return n.asText();
  }

  private static String originalMessage(IOException e) {
    return e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
  }
}
