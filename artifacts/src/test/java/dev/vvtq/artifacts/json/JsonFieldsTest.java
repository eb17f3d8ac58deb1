package dev.vvtq.artifacts.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class JsonFieldsTest {
  private static JsonFields fields(String json) {
    return JsonFields.parse(json, "model config", IllegalStateException::new);
  }

  @Test
  void readsEachType() {
    JsonFields f = fields("{\"name\":\"nano\",\"depth\":4,\"mlp_ratio\":4.0,\"head_wise\":true,\"gone\":null}");
    assertEquals("nano", f.text("name"));
    assertEquals(4, f.integer("depth"));
    assertEquals(4.0, f.number("mlp_ratio"));
    assertEquals(4.0, f.number("depth"), "an integer is a number too");
    assertTrue(f.bool("head_wise"));
    assertEquals(0.1, f.number("drop_path", 0.1));
    assertFalse(f.has("gone"), "null counts as absent");
  }

  @Test
  void namesTheObjectAndTheFieldInEveryFailure() {
    JsonFields f = fields("{\"name\":3,\"depth\":4.5,\"big\":3000000000,\"mlp_ratio\":\"4\",\"head_wise\":1}");
    assertEquals("model config '" + "name' is 3, not a string",
        assertThrows(IllegalStateException.class, () -> f.text("name")).getMessage());
    assertEquals("model config 'depth' is 4.5, not an integer",
        assertThrows(IllegalStateException.class, () -> f.integer("depth")).getMessage());
    assertEquals("model config 'big' is 3000000000, not an integer",
        assertThrows(IllegalStateException.class, () -> f.integer("big")).getMessage());
    assertEquals("model config 'mlp_ratio' is \"4\", not a number",
        assertThrows(IllegalStateException.class, () -> f.number("mlp_ratio", 4.0)).getMessage());
    assertEquals("model config 'head_wise' is 1, not true or false",
        assertThrows(IllegalStateException.class, () -> f.bool("head_wise")).getMessage());
    assertEquals("model config has no 'embed_dim'",
        assertThrows(IllegalStateException.class, () -> f.integer("embed_dim")).getMessage());
  }

  @Test
  void refusesTextThatIsNotAJsonObject() {
    IllegalStateException broken = assertThrows(IllegalStateException.class, () -> fields("{\"name\":"));
    assertTrue(broken.getMessage().startsWith("model config is not valid JSON: "), broken.getMessage());
    assertInstanceOf(Exception.class, broken.getCause());
    assertEquals("model config is not a JSON object",
        assertThrows(IllegalStateException.class, () -> fields("[1, 2]")).getMessage());
  }
}
