package dev.vvtq.artifacts.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ManifestTest {
  private static final String SHA_A = "a".repeat(64);
  private static final String SHA_B = "0123456789abcdef".repeat(4);

  private static Manifest sample() {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("epoch", 3);
    fields.put("step", 1200L);
    fields.put("metrics", Map.of("top1", 0.7125, "loss", 1.25));
    fields.put("config", Map.of("bits", 4, "model", "deit_tiny_patch16_224"));
    return Manifest.create(
        ArtifactKinds.CHECKPOINT,
        Map.of(
            "model.safetensors", new FileEntry(1234, SHA_A),
            "optimizer.safetensors", new FileEntry(0, SHA_B)),
        fields);
  }

  @Test
  void jsonRoundTrip() {
    Manifest m = sample();
    Manifest back = Manifest.parse(m.toJson(), "test");
    assertEquals(m, back);
    assertEquals(Manifest.FORMAT, back.format());
    assertEquals(3, back.field("epoch").orElseThrow().asInt());
    assertEquals(0.7125, back.field("metrics").orElseThrow().get("top1").asDouble());
    assertEquals(new FileEntry(1234, SHA_A), back.file("model.safetensors").orElseThrow());
    assertTrue(back.file("nope").isEmpty());
  }

  @Test
  void jsonLayoutPutsTheManifestFieldsFirst() throws Exception {
    Manifest m = sample();
    var tree = new ObjectMapper().readTree(m.toJson());
    List<String> names = new java.util.ArrayList<>();
    tree.fieldNames().forEachRemaining(names::add);
    assertEquals(List.of("format", "kind", "created", "files", "epoch", "step", "metrics", "config"), names);
    assertEquals(m.created().toString(), tree.get("created").asText());
    assertEquals(1234, tree.get("files").get("model.safetensors").get("bytes").asLong());
    assertEquals(SHA_A, tree.get("files").get("model.safetensors").get("sha256").asText());
  }

  @Test
  void fieldsAreCopiedNotShared() {
    Manifest m = sample();
    m.fields().put("epoch", 99);
    assertEquals(3, m.field("epoch").orElseThrow().asInt());
  }

  @Test
  void reservedFieldNamesAreRefused() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Manifest.create("model", Map.of(), Map.of("files", 1)));
    assertTrue(e.getMessage().contains("'files'"), e.getMessage());
  }

  @Test
  void fileEntryValidation() {
    assertThrows(IllegalArgumentException.class, () -> new FileEntry(-1, SHA_A));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new FileEntry(1, SHA_A.toUpperCase()));
    assertTrue(e.getMessage().contains("64 lowercase hex"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new FileEntry(1, "abc"));
  }

  private static String valid() {
    return "{\"format\":\"vvtq.manifest/1\",\"kind\":\"model\",\"created\":\"2026-01-02T03:04:05Z\","
        + "\"files\":{\"m.bin\":{\"bytes\":3,\"sha256\":\"" + SHA_A + "\"}},\"step\":7}";
  }

  @Test
  void parsesAHandWrittenManifest() {
    Manifest m = Manifest.parse(valid().getBytes(StandardCharsets.UTF_8), "hand");
    assertEquals("model", m.kind());
    assertEquals(Instant.parse("2026-01-02T03:04:05Z"), m.created());
    assertEquals(new TreeMap<>(Map.of("m.bin", new FileEntry(3, SHA_A))), m.files());
    assertEquals(7, m.field("step").orElseThrow().asInt());
    assertFalse(m.field("format").isPresent(), "own fields are not free-form fields");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      textBlock =
          """
          not JSON                | {"format":                                   | not valid JSON
          text after the object   | {"format":"vvtq.manifest/1"} x               | not valid JSON
          array                   | []                                           | not a JSON object
          no format               | {"kind":"model"}                             | 'format'
          future format           | {"format":"vvtq.manifest/2"}                 | unsupported manifest format 'vvtq.manifest/2'
          no kind                 | {"format":"vvtq.manifest/1","created":"2026-01-02T03:04:05Z","files":{}} | 'kind'
          bad time                | {"format":"vvtq.manifest/1","kind":"m","created":"yesterday","files":{}} | 'created' is not an ISO-8601 instant
          no files                | {"format":"vvtq.manifest/1","kind":"m","created":"2026-01-02T03:04:05Z"} | lacks a 'files' object
          file not object         | {"format":"vvtq.manifest/1","kind":"m","created":"2026-01-02T03:04:05Z","files":{"a":1}} | file 'a' is not an object
          size missing            | {"format":"vvtq.manifest/1","kind":"m","created":"2026-01-02T03:04:05Z","files":{"a":{"sha256":"x"}}} | file 'a' lacks an integer 'bytes'
          size negative           | {"format":"vvtq.manifest/1","kind":"m","created":"2026-01-02T03:04:05Z","files":{"a":{"bytes":-1,"sha256":"x"}}} | file 'a'
          bad sha                 | {"format":"vvtq.manifest/1","kind":"m","created":"2026-01-02T03:04:05Z","files":{"a":{"bytes":1,"sha256":"xyz"}}} | 64 lowercase hex digits
          duplicate file          | {"format":"vvtq.manifest/1","kind":"m","created":"2026-01-02T03:04:05Z","files":{"a":{},"a":{}}} | Duplicate field 'a'
          """)
  void malformedManifestsAreRefused(String what, String json, String expected) {
    ManifestFormatException e =
        assertThrows(
            ManifestFormatException.class,
            () -> Manifest.parse(json.getBytes(StandardCharsets.UTF_8), "runs/r/manifest.json"));
    assertTrue(e.getMessage().startsWith("runs/r/manifest.json: "), e.getMessage());
    assertTrue(e.getMessage().contains(expected), () -> what + ": '" + expected + "' not in " + e.getMessage());
  }
}
