package dev.vvtq.artifacts.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/** The contract against a real S3 server (S3Proxy in this JVM), plus S3's own failure modes. */
class S3ArtifactStoreTest extends ArtifactStoreContract {
  static final String BUCKET = "vvtq-test";
  static final RetryPolicy FAST = new RetryPolicy(4, Duration.ofMillis(1), Duration.ofMillis(5));
  static final AtomicInteger TESTS = new AtomicInteger();
  static S3ProxyServer server;

  @BeforeAll
  static void startServer() throws Exception {
    server = new S3ProxyServer();
    server.createBucket(BUCKET);
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.close();
  }

  @Override
  ArtifactStore newStore() {
    // A fresh key prefix per test gives each test an empty store in the shared bucket.
    return S3ArtifactStore.forBucket(BUCKET, "t" + TESTS.incrementAndGet(), server.options());
  }

  /** A store whose requests go through a fault-injecting wrapper around the real transport. */
  record Flaky(S3ArtifactStore store, FlakyHttpClient http) implements AutoCloseable {
    @Override
    public void close() {
      store.close();
      http.close();
    }
  }

  static Flaky flaky(S3Options options) {
    FlakyHttpClient http = new FlakyHttpClient(Apache5HttpClient.builder().build());
    S3Client s3 = S3Clients.create(options, http);
    return new Flaky(new S3ArtifactStore(s3, BUCKET, "flaky" + TESTS.incrementAndGet(), FAST), http);
  }

  @Test
  void droppedConnectionsAreRetried() throws Exception {
    try (Flaky f = flaky(server.options())) {
      f.http().failNext(2, FlakyHttpClient.Fault.CONNECTION_RESET);
      f.store().put("a/b", new byte[] {1, 2});
      assertEquals(3, f.http().requests(), "two failed attempts, then the one that passed");
      f.http().failNext(0, FlakyHttpClient.Fault.CONNECTION_RESET);
      assertArrayEquals(new byte[] {1, 2}, f.store().readBytes("a/b"));
    }
  }

  @Test
  void throttlingIsRetried() throws Exception {
    try (Flaky f = flaky(server.options())) {
      f.store().put("a/b", new byte[] {3});
      f.http().failNext(3, FlakyHttpClient.Fault.SLOW_DOWN);
      assertArrayEquals(new byte[] {3}, f.store().readBytes("a/b"));
      assertEquals(4, f.http().requests());
      f.http().failNext(1, FlakyHttpClient.Fault.SLOW_DOWN);
      assertEquals(List.of("a/b"), f.store().list(""));
      assertEquals(2, f.http().requests());
    }
  }

  @Test
  void retriesAreBounded() throws Exception {
    try (Flaky f = flaky(server.options())) {
      f.http().failNext(100, FlakyHttpClient.Fault.SLOW_DOWN);
      ArtifactStoreException e =
          assertThrows(ArtifactStoreException.class, () -> f.store().put("a/b", new byte[] {1}));
      assertEquals(4, f.http().requests());
      assertTrue(e.getMessage().contains("cannot store 'a/b' (after 4 attempts)"), e.getMessage());
      assertTrue(e.getMessage().contains("503 SlowDown"), e.getMessage());
    }
  }

  @Test
  void wrongCredentialsFailAtOnceWithAHint() throws Exception {
    try (Flaky f = flaky(server.options().withCredentials(S3ProxyServer.ACCESS_KEY, "wrong-secret"))) {
      f.http().failNext(0, FlakyHttpClient.Fault.SLOW_DOWN);
      ArtifactStoreException e =
          assertThrows(ArtifactStoreException.class, () -> f.store().put("a/b", new byte[] {1}));
      assertEquals(1, f.http().requests(), "an authentication failure is not retried");
      assertTrue(e.getMessage().contains("access denied") && e.getMessage().contains("secret key"), e.getMessage());
    }
  }

  @Test
  void aMissingBucketIsNotAMissingKey() throws Exception {
    try (S3ArtifactStore s = S3ArtifactStore.forBucket("no-such-bucket", "", server.options())) {
      ArtifactStoreException e = assertThrows(ArtifactStoreException.class, () -> s.readBytes("a/b"));
      assertFalse(e instanceof ArtifactNotFoundException, e.toString());
      assertTrue(e.getMessage().contains("bucket 'no-such-bucket' does not exist"), e.getMessage());
      assertThrows(ArtifactStoreException.class, () -> s.exists("a/b"));
    }
  }

  @Test
  void anUnreachableEndpointSaysSo() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    S3Options nowhere =
        server.options().withEndpoint(URI.create("http://127.0.0.1:" + port)).withRetry(new RetryPolicy(2, Duration.ofMillis(1), Duration.ofMillis(1)));
    try (S3ArtifactStore s = S3ArtifactStore.forBucket(BUCKET, "", nowhere)) {
      ArtifactStoreException e = assertThrows(ArtifactStoreException.class, () -> s.readBytes("a/b"));
      assertTrue(e.getMessage().contains("(after 2 attempts)"), e.getMessage());
      assertTrue(e.getMessage().contains("check that the endpoint is reachable"), e.getMessage());
      assertTrue(e.getMessage().contains("127.0.0.1:" + port), e.getMessage());
    }
  }

  @Test
  void keyPrefixesKeepStoresApartInOneBucket() throws Exception {
    try (S3ArtifactStore a = S3ArtifactStore.forBucket(BUCKET, "iso/a", server.options());
        S3ArtifactStore b = S3ArtifactStore.forBucket(BUCKET, "iso/b", server.options());
        S3Client raw = S3Clients.create(server.options())) {
      a.put("k", new byte[] {1});
      b.put("k", new byte[] {2});
      assertEquals(List.of("k"), a.list(""));
      assertArrayEquals(new byte[] {2}, b.readBytes("k"));
      List<String> objects =
          raw.listObjectsV2(r -> r.bucket(BUCKET).prefix("iso/")).contents().stream().map(S3Object::key).toList();
      assertEquals(List.of("iso/a/k", "iso/b/k"), objects);
      assertEquals("s3://" + BUCKET + "/iso/a (endpoint " + server.endpoint() + ")", a.location());
    }
  }

  @Test
  void theFactoryOpensAnS3LocationWithStringOptions() throws Exception {
    Map<String, String> options =
        Map.of(
            "endpoint", server.endpoint().toString(),
            "access-key", S3ProxyServer.ACCESS_KEY,
            "secret-key", S3ProxyServer.SECRET_KEY,
            "path-style", "true",
            "max-attempts", "2");
    try (ArtifactStore s = ArtifactStores.open("s3://" + BUCKET + "/factory/x/", options)) {
      S3ArtifactStore s3 = assertInstanceOf(S3ArtifactStore.class, s);
      assertEquals("factory/x", s3.keyPrefix());
      s.put("hello", new byte[] {9});
      assertArrayEquals(new byte[] {9}, s.readBytes("hello"));
    }
    try (S3ArtifactStore check = S3ArtifactStore.forBucket(BUCKET, "factory", server.options())) {
      assertEquals(List.of("x/hello"), check.list(""));
    }
  }
}
