package dev.vvtq.qat.reference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The reference's full step and offset vectors kept with an imported checkpoint, as the manifest
 * field {@value #FIELD}: reference key to the base64 of its little-endian float32 values (exact, where
 * JSON numbers would round-trip through decimal).
 */
public final class ReferenceVectors {
  /** The checkpoint manifest field. */
  public static final String FIELD = "reference_vectors";

  private static final ObjectMapper JSON = new ObjectMapper();

  private ReferenceVectors() {}

  /** The manifest value for {@code vectors}. */
  public static ObjectNode toJson(Map<String, float[]> vectors) {
    ObjectNode o = JSON.createObjectNode();
    vectors.forEach((k, v) -> {
      ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
      b.asFloatBuffer().put(v);
      o.put(k, Base64.getEncoder().encodeToString(b.array()));
    });
    return o;
  }

  /** The vectors of a manifest value written by {@link #toJson}. */
  public static Map<String, float[]> fromJson(JsonNode o) {
    Map<String, float[]> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      byte[] b = Base64.getDecoder().decode(e.getValue().asText());
      float[] v = new float[b.length / 4];
      ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
      out.put(e.getKey(), v);
    }
    return out;
  }
}
