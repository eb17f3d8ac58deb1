package dev.vvtq.artifacts.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.function.Function;

/**
 * Typed reads of the fields of one JSON object (a model config, a metadata entry) that fail with a
 * message naming the object and the field; each format passes the exception type its readers expect.
 */
public final class JsonFields {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final JsonNode object;
  private final String what;
  private final Function<String, ? extends RuntimeException> error;

  private JsonFields(JsonNode object, String what, Function<String, ? extends RuntimeException> error) {
    this.object = object;
    this.what = what;
    this.error = error;
  }

  /**
   * Parses {@code json}, which must be a JSON object.
   *
   * @param what how messages name the object, e.g. {@code "model config"}
   * @param error makes the exception thrown for a message
   */
  public static JsonFields parse(String json, String what, Function<String, ? extends RuntimeException> error) {
    JsonNode n;
    try {
      n = JSON.readTree(json);
    } catch (Exception e) {
      RuntimeException failure = error.apply(what + " is not valid JSON: " + e.getMessage());
      if (failure.getCause() == null) {
        failure.initCause(e);
      }
      throw failure;
    }
    if (n == null || !n.isObject()) {
      throw error.apply(what + " is not a JSON object");
    }
    return new JsonFields(n, what, error);
  }

  /** Whether the field is present and not null. */
  public boolean has(String key) {
    JsonNode v = object.get(key);
    return v != null && !v.isNull();
  }

  public String text(String key) {
    JsonNode v = field(key);
    if (!v.isTextual()) {
      throw mistyped(key, v, "a string");
    }
    return v.asText();
  }

  public int integer(String key) {
    JsonNode v = field(key);
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      throw mistyped(key, v, "an integer");
    }
    return v.intValue();
  }

  public double number(String key) {
    JsonNode v = field(key);
    if (!v.isNumber()) {
      throw mistyped(key, v, "a number");
    }
    return v.doubleValue();
  }

  /** The number under {@code key}, or {@code fallback} when the field is absent (older files). */
  public double number(String key, double fallback) {
    return has(key) ? number(key) : fallback;
  }

  public boolean bool(String key) {
    JsonNode v = field(key);
    if (!v.isBoolean()) {
      throw mistyped(key, v, "true or false");
    }
    return v.booleanValue();
  }

  private JsonNode field(String key) {
    if (!has(key)) {
      throw error.apply(what + " has no '" + key + "'");
    }
    return object.get(key);
  }

  private RuntimeException mistyped(String key, JsonNode v, String expected) {
    return error.apply(what + " '" + key + "' is " + v + ", not " + expected);
  }
}
