package dev.vvtq.artifacts.store;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3 server inside the test JVM: S3Proxy over jclouds' in-memory "transient" blob store,
 * bound to 127.0.0.1 on a free port, checking SigV4 signatures against fixed test credentials.
 */
final class S3ProxyServer implements AutoCloseable {
  static final String ACCESS_KEY = "vvtq-test-access";
  static final String SECRET_KEY = "vvtq-test-secret";

  private final BlobStoreContext context;
  private final S3Proxy proxy;

  S3ProxyServer() throws Exception {
    context =
        ContextBuilder.newBuilder("transient")
            .credentials("unused", "unused")
            .build(BlobStoreContext.class);
    proxy =
        S3Proxy.builder()
            .blobStore(context.getBlobStore())
            .endpoint(URI.create("http://127.0.0.1:0"))
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
            .build();
    proxy.start();
    Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
    while (!"STARTED".equals(proxy.getState())) {
      if (Instant.now().isAfter(deadline)) {
        throw new IllegalStateException("S3Proxy did not start: " + proxy.getState());
      }
      Thread.sleep(10);
    }
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + proxy.getPort());
  }

  /** Options reaching this server with the right credentials and fast retries. */
  S3Options options() {
    return S3Options.defaults()
        .withEndpoint(endpoint())
        .withCredentials(ACCESS_KEY, SECRET_KEY)
        .withRetry(new RetryPolicy(4, Duration.ofMillis(1), Duration.ofMillis(5)));
  }

  void createBucket(String bucket) {
    try (S3Client s3 = S3Clients.create(options())) {
      s3.createBucket(b -> b.bucket(bucket));
    }
  }

  @Override
  public void close() throws Exception {
    proxy.stop();
    context.close();
  }
}
