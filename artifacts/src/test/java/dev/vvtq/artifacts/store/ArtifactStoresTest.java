package dev.vvtq.artifacts.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ArtifactStoresTest {
  @TempDir Path tmp;

  @Test
  void aPlainPathOrFileUriIsALocalFolder() throws Exception {
    Path dir = tmp.resolve("a store");
    try (ArtifactStore s = ArtifactStores.open(dir.toString())) {
      assertEquals(dir.toAbsolutePath(), assertInstanceOf(LocalFolderStore.class, s).root());
      assertTrue(Files.isDirectory(dir), "the folder is created");
    }
    try (ArtifactStore s = ArtifactStores.open(dir.toUri().toString())) {
      assertEquals(dir.toAbsolutePath(), assertInstanceOf(LocalFolderStore.class, s).root());
    }
  }

  @Test
  void anS3UriSplitsIntoBucketAndPrefix() throws Exception {
    Map<String, String> options = Map.of("endpoint", "http://127.0.0.1:9", "access-key", "a", "secret-key", "s");
    try (ArtifactStore s = ArtifactStores.open("s3://my-bucket/team/vvtq/", options)) {
      S3ArtifactStore s3 = assertInstanceOf(S3ArtifactStore.class, s);
      assertEquals("my-bucket", s3.bucket());
      assertEquals("team/vvtq", s3.keyPrefix());
      assertEquals("s3://my-bucket/team/vvtq (endpoint http://127.0.0.1:9)", s.location());
    }
    try (ArtifactStore s = ArtifactStores.open("s3://my-bucket", options)) {
      assertEquals("", assertInstanceOf(S3ArtifactStore.class, s).keyPrefix());
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      textBlock =
          """
          gs://bucket/x            | unsupported artifact store scheme 'gs'
          http://host/x            | unsupported artifact store scheme 'http'
          file:relative/dir        | not an absolute file: URI
          s3://Bad_Bucket/x        | invalid S3 bucket name 'Bad_Bucket'
          s3://ab                  | invalid S3 bucket name 'ab'
          s3://bucket/../x         | bad key prefix in 's3://bucket/../x'
          s3://bucket//x           | bad key prefix
          """)
  void badLocationsSayWhatIsWrong(String location, String expected) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ArtifactStores.open(location, S3Options.defaults().withEndpoint(URI.create("http://127.0.0.1:9"))));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  @Test
  void emptyLocationAndOptionsForALocalStore() {
    assertThrows(IllegalArgumentException.class, () -> ArtifactStores.open(" "));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ArtifactStores.open(tmp.toString(), Map.of("region", "x")));
    assertTrue(e.getMessage().contains("apply to s3:// locations only"), e.getMessage());
  }

  @Test
  void optionsFromStrings() {
    S3Options o =
        S3Options.fromMap(Map.of("endpoint", "http://minio:9000", "region", "eu-west-1", "max-attempts", "7"));
    assertEquals(URI.create("http://minio:9000"), o.endpoint());
    assertEquals("eu-west-1", o.region());
    assertTrue(o.effectivePathStyle(), "path style by default with an endpoint");
    assertEquals(7, o.retry().maxAttempts());
    assertFalse(S3Options.defaults().effectivePathStyle(), "virtual-host style for AWS");
    assertFalse(S3Options.fromMap(Map.of("endpoint", "http://h:1", "path-style", "false")).effectivePathStyle());
    assertNull(S3Options.fromMap(Map.of("access-key", " ", "secret-key", "")).accessKey(), "blank means absent");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      textBlock =
          """
          endpont=http://h:1         | unknown S3 option(s) [endpont]
          endpoint=ftp://h/          | must be an http:// or https:// URL
          endpoint=http://h:1 x      | not a URL
          path-style=yes             | path-style must be true or false
          max-attempts=0             | max-attempts must be a whole number >= 1
          max-attempts=many          | max-attempts must be a whole number >= 1
          access-key=only            | give both access-key and secret-key
          """)
  void badOptionsSayWhatIsWrong(String pair, String expected) {
    int eq = pair.indexOf('=');
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> S3Options.fromMap(Map.of(pair.substring(0, eq), pair.substring(eq + 1))));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  @Test
  void theSecretNeverShowsInToString() {
    String s = S3Options.defaults().withCredentials("AKIAEXAMPLE", "very-secret-value").toString();
    assertTrue(s.contains("AKIAEXAMPLE"), s);
    assertFalse(s.contains("very-secret-value"), s);
  }
}
