package dev.vvtq.e2e;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/** A real S3 server in the test JVM: S3Proxy over jclouds' in-memory blob store, on 127.0.0.1, SigV4 with test keys. */
final class S3Server implements AutoCloseable {
  static final String ACCESS_KEY = "vvtq-e2e-access";
  static final String SECRET_KEY = "vvtq-e2e-secret";

  private final BlobStoreContext context;
  private final S3Proxy proxy;

  S3Server() throws Exception {
    context = ContextBuilder.newBuilder("transient").credentials("unused", "unused").build(BlobStoreContext.class);
    proxy = S3Proxy.builder()
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

  String endpoint() {
    return "http://127.0.0.1:" + proxy.getPort();
  }

  void createBucket(String bucket) {
    try (S3Client s3 = S3Client.builder().endpointOverride(URI.create(endpoint())).region(Region.US_EAST_1)
        .forcePathStyle(true)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
        .build()) {
      s3.createBucket(b -> b.bucket(bucket));
    }
  }

  @Override
  public void close() throws Exception {
    proxy.stop();
    context.close();
  }
}
