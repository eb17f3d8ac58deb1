package dev.vvtq.artifacts.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ArtifactKeysTest {
  @ParameterizedTest
  @ValueSource(
      strings = {
        "runs/r1/checkpoints/100/model.safetensors",
        "evaluations/e-7.json",
        "a",
        "models/deit-tiny/1/model.safetensors",
        "x/y..z/w",
        "caf\u00e9/\ud83d\ude00"
      })
  void validKeys(String key) {
    assertEquals(key, ArtifactKeys.requireValidKey(key));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      textBlock =
          """
          ../etc/passwd      | starts with '.'
          runs/../../x       | starts with '.'
          runs/./x           | starts with '.'
          /abs/path          | absolute
          a//b               | empty segment
          a/                 | empty segment
          a\\b               | '\\'
          runs/.staging/x    | starts with '.'
          """)
  void invalidKeys(String key, String why) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ArtifactKeys.requireValidKey(key));
    assertTrue(e.getMessage().contains("'" + key + "'"), e.getMessage());
    assertTrue(e.getMessage().contains(why), e.getMessage());
  }

  @Test
  void emptyControlSurrogateAndOverlongKeys() {
    assertThrows(IllegalArgumentException.class, () -> ArtifactKeys.requireValidKey(""));
    assertThrows(IllegalArgumentException.class, () -> ArtifactKeys.requireValidKey(null));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ArtifactKeys.requireValidKey("a\nb"));
    assertTrue(e.getMessage().contains("U+000A"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> ArtifactKeys.requireValidKey("a\ud800b"));
    assertTrue(e.getMessage().contains("unpaired surrogate"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> ArtifactKeys.requireValidKey("\u00e9".repeat(513)));
    assertTrue(e.getMessage().contains("1024"), e.getMessage());
    assertEquals("a".repeat(1024), ArtifactKeys.requireValidKey("a".repeat(1024)));
  }

  @Test
  void prefixes() {
    assertEquals("", ArtifactKeys.requireValidPrefix(""));
    assertEquals("runs/", ArtifactKeys.requireValidPrefix("runs/"));
    assertEquals("runs/r1/check", ArtifactKeys.requireValidPrefix("runs/r1/check"));
    assertThrows(IllegalArgumentException.class, () -> ArtifactKeys.requireValidPrefix("../"));
    assertThrows(IllegalArgumentException.class, () -> ArtifactKeys.requireValidPrefix("/runs"));
    assertThrows(IllegalArgumentException.class, () -> ArtifactKeys.requireValidPrefix("runs//"));
    assertThrows(IllegalArgumentException.class, () -> ArtifactKeys.requireValidPrefix(null));
  }

  @Test
  void joinValidatesBothSides() {
    assertEquals("runs/r1/manifest.json", ArtifactKeys.join("runs/r1", "manifest.json"));
    assertThrows(IllegalArgumentException.class, () -> ArtifactKeys.join("runs/r1", "../x"));
    assertThrows(IllegalArgumentException.class, () -> ArtifactKeys.join("runs/r1/", "x"));
  }

  @Test
  void orderIsCodePointOrder() {
    List<String> keys = new ArrayList<>(List.of("b", "\ud83d\ude00", "\uff61", "a/b", "a"));
    keys.sort(ArtifactKeys.ORDER);
    assertEquals(List.of("a", "a/b", "b", "\uff61", "\ud83d\ude00"), keys);
  }
}
