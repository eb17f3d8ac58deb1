package dev.vvtq.artifacts.store;

import dev.vvtq.artifacts.files.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * An {@link ArtifactStore} in an S3 bucket (AWS, MinIO, Ceph or any S3 API): key {@code k} is object
 * {@code <keyPrefix>/k}. Transient failures (5xx, throttling, I/O) are retried with exponential
 * backoff under a {@link RetryPolicy}; other failures are reported at once with what to check.
 */
public final class S3ArtifactStore implements ArtifactStore {
  /** S3's limit for a single PUT. */
  static final long MAX_SINGLE_PUT_BYTES = 5L << 30;

  private static final Set<String> TRANSIENT_CODES =
      Set.of(
          "SlowDown",
          "Throttling",
          "ThrottlingException",
          "RequestTimeout",
          "InternalError",
          "ServiceUnavailable",
          "RequestTimeTooSkewed");

  private final S3Client s3;
  private final String bucket;
  private final String keyPrefix;
  private final Retrier retrier;
  private final String location;

  /**
   * A store over a client the caller built; the store closes it on {@link #close()}.
   *
   * @param keyPrefix folder inside the bucket ("" for the bucket root)
   */
  public S3ArtifactStore(S3Client s3, String bucket, String keyPrefix, RetryPolicy retry) {
    this(s3, bucket, keyPrefix, new Retrier(retry, S3ArtifactStore::isTransient));
  }

  S3ArtifactStore(S3Client s3, String bucket, String keyPrefix, Retrier retrier) {
    this.s3 = Objects.requireNonNull(s3, "s3");
    this.bucket = ArtifactStores.requireValidBucket(bucket);
    this.keyPrefix = keyPrefix == null || keyPrefix.isEmpty() ? "" : ArtifactKeys.requireValidKey(keyPrefix);
    this.retrier = retrier;
    String endpoint =
        s3.serviceClientConfiguration().endpointOverride().map(u -> " (endpoint " + u + ")").orElse("");
    this.location =
        "s3://" + bucket + (this.keyPrefix.isEmpty() ? "" : "/" + this.keyPrefix) + endpoint;
  }

  /** A store in a bucket (under an optional key prefix) with a client of its own; connects lazily. */
  public static S3ArtifactStore forBucket(String bucket, String keyPrefix, S3Options options) {
    return new S3ArtifactStore(S3Clients.create(options), bucket, keyPrefix, options.retry());
  }

  @Override
  public String location() {
    return location;
  }

  /** The bucket name. */
  public String bucket() {
    return bucket;
  }

  /** The key prefix inside the bucket, "" for none. */
  public String keyPrefix() {
    return keyPrefix;
  }

  private String objectKey(String key) {
    ArtifactKeys.requireValidKey(key);
    return keyPrefix.isEmpty() ? key : keyPrefix + "/" + key;
  }

  @Override
  public void put(String key, Path file) throws IOException {
    String objectKey = objectKey(key);
    long size = Files.size(file);
    if (size > MAX_SINGLE_PUT_BYTES) {
      throw new ArtifactStoreException(
          key,
          location + ": cannot store '" + key + "': " + file + " has " + size
              + " bytes, above the 5 GiB single-upload limit (multipart upload is not implemented);"
              + " split the artifact into shards");
    }
    call(key, "store", () -> s3.putObject(r -> r.bucket(bucket).key(objectKey), RequestBody.fromFile(file)));
  }

  @Override
  public void put(String key, byte[] content) throws IOException {
    String objectKey = objectKey(key);
    call(key, "store", () -> s3.putObject(r -> r.bucket(bucket).key(objectKey), RequestBody.fromBytes(content)));
  }

  @Override
  public byte[] readBytes(String key) throws IOException {
    String objectKey = objectKey(key);
    // The whole transfer is inside the attempt, so a connection dropped mid-body is retried too.
    return call(key, "read", () -> s3.getObjectAsBytes(r -> r.bucket(bucket).key(objectKey)).asByteArray());
  }

  @Override
  public InputStream open(String key) throws IOException {
    String objectKey = objectKey(key);
    // Only the request is retried; a failure while the caller reads the stream reaches the caller.
    return call(key, "open", () -> s3.getObject(r -> r.bucket(bucket).key(objectKey)));
  }

  @Override
  public void download(String key, Path target) throws IOException {
    String objectKey = objectKey(key);
    call(
        key,
        "download",
        () -> {
          try (InputStream in = s3.getObject(r -> r.bucket(bucket).key(objectKey))) {
            AtomicFiles.write(target, in::transferTo);
          }
          return null;
        });
  }

  @Override
  public boolean exists(String key) throws IOException {
    String objectKey = objectKey(key);
    boolean found =
        call(
            key,
            "check",
            () -> {
              try {
                s3.headObject(r -> r.bucket(bucket).key(objectKey));
                return true;
              } catch (AwsServiceException e) {
                if (e.statusCode() == 404) {
                  return false;
                }
                throw e;
              }
            });
    if (!found) {
      // HEAD answers carry no body, so a 404 does not say whether the key or the bucket is missing.
      call(
          key,
          "check",
          () -> {
            try {
              return s3.headBucket(r -> r.bucket(bucket));
            } catch (AwsServiceException e) {
              if (e.statusCode() == 404) {
                throw new ArtifactStoreException(
                    key,
                    location + ": cannot check '" + key + "': bucket '" + bucket
                        + "' does not exist; create it or fix the store location",
                    e);
              }
              throw e;
            }
          });
    }
    return found;
  }

  @Override
  public List<String> list(String prefix) throws IOException {
    ArtifactKeys.requireValidPrefix(prefix);
    String objectPrefix = keyPrefix.isEmpty() ? prefix : keyPrefix + "/" + prefix;
    int strip = keyPrefix.isEmpty() ? 0 : keyPrefix.length() + 1;
    List<String> keys = new ArrayList<>();
    String token = null;
    do {
      String continuation = token;
      ListObjectsV2Response page =
          call(
              prefix,
              "list",
              () ->
                  s3.listObjectsV2(
                      r -> r.bucket(bucket).prefix(objectPrefix).continuationToken(continuation)));
      for (S3Object o : page.contents()) {
        String key = o.key().substring(strip);
        // Objects put there by other tools under names this store would refuse are not its keys.
        try {
          keys.add(ArtifactKeys.requireValidKey(key));
        } catch (IllegalArgumentException skipped) {
          // not an artifact key
        }
      }
      token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
    } while (token != null);
    keys.sort(ArtifactKeys.ORDER);
    return keys;
  }

  @Override
  public void delete(String key) throws IOException {
    String objectKey = objectKey(key);
    call(key, "delete", () -> s3.deleteObject(r -> r.bucket(bucket).key(objectKey)));
  }

  @Override
  public void close() {
    s3.close();
  }

  @Override
  public String toString() {
    return "S3ArtifactStore[" + location + "]";
  }

  private <T> T call(String key, String action, Retrier.Attempt<T> attempt) throws IOException {
    try {
      return retrier.call(attempt);
    } catch (Retrier.Failure f) {
      throw translate(key, action, f);
    }
  }

  /** Whether a failure may pass if the same request is sent again. */
  static boolean isTransient(Throwable t) {
    if (t instanceof AwsServiceException e) {
      String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
      return e.statusCode() >= 500
          || e.statusCode() == 429
          || e.isThrottlingException()
          || (code != null && TRANSIENT_CODES.contains(code));
    }
    if (t instanceof ApiCallAttemptTimeoutException) {
      return true;
    }
    if (t instanceof SdkClientException) {
      // Connection refused or reset, timeouts: the SDK wraps the I/O failure.
      for (Throwable c = t.getCause(); c != null; c = c.getCause()) {
        if (c instanceof IOException) {
          return true;
        }
      }
      return false;
    }
    // Reading a body can fail with a plain IOException; local file problems will not heal.
    return t instanceof IOException
        && !(t instanceof FileSystemException)
        && !(t instanceof ArtifactStoreException);
  }

  private static boolean isMissingBucket(AwsServiceException e) {
    return e.awsErrorDetails() != null && "NoSuchBucket".equals(e.awsErrorDetails().errorCode());
  }

  private IOException translate(String key, String action, Retrier.Failure f) {
    Exception e = f.last();
    String tries = f.attempts() > 1 ? " (after " + f.attempts() + " attempts)" : "";
    String what = location + ": cannot " + action + " '" + key + "'" + tries + ": ";
    if (e instanceof AwsServiceException s) {
      String code = s.awsErrorDetails() == null ? null : s.awsErrorDetails().errorCode();
      String detail = s.statusCode() + (code == null ? "" : " " + code);
      if (isMissingBucket(s)) {
        return new ArtifactStoreException(
            key, what + "bucket '" + bucket + "' does not exist; create it or fix the store location", e);
      }
      if (s.statusCode() == 404) {
        return new ArtifactNotFoundException(key, location + ": no artifact at '" + key + "'", e);
      }
      if (s.statusCode() == 403 || s.statusCode() == 401) {
        return new ArtifactStoreException(
            key,
            what + "access denied (" + detail + "); check the access key and secret key, or the"
                + " credentials the default AWS chain found, and the bucket policy",
            e);
      }
      return new ArtifactStoreException(key, what + "S3 answered " + detail + ": " + s.getMessage(), e);
    }
    if (e instanceof SdkException) {
      String hint =
          isTransient(e)
              ? "; check that the endpoint is reachable and the server is up"
              : "; check the S3 options (endpoint, region, credentials)";
      return new ArtifactStoreException(key, what + e.getMessage() + hint, e);
    }
    if (e instanceof ArtifactStoreException a) {
      return a;
    }
    if (e instanceof IOException io) {
      return new ArtifactStoreException(key, what + io, io);
    }
    if (e instanceof RuntimeException r) {
      throw r;
    }
    return new ArtifactStoreException(key, what + e, e);
  }
}
