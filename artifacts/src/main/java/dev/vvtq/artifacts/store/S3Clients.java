package dev.vvtq.artifacts.store;

import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/** Builds the AWS SDK v2 S3 client an {@link S3ArtifactStore} uses, from {@link S3Options}. */
final class S3Clients {
  private S3Clients() {}

  /** A client with its own pooled Apache HTTP transport, closed with the client. */
  static S3Client create(S3Options options) {
    return configure(options)
        .httpClientBuilder(
            Apache5HttpClient.builder()
                .connectionTimeout(Duration.ofSeconds(10))
                .socketTimeout(Duration.ofSeconds(60)))
        .build();
  }

  /** A client on a given transport, which the caller keeps and closes. */
  static S3Client create(S3Options options, SdkHttpClient http) {
    return configure(options).httpClient(http).build();
  }

  private static S3ClientBuilder configure(S3Options options) {
    S3ClientBuilder b =
        S3Client.builder()
            .region(region(options))
            .forcePathStyle(options.effectivePathStyle())
            .credentialsProvider(credentials(options))
            // The store retries by itself (RetryPolicy), with its own error messages; SDK retries
            // underneath would multiply the attempts.
            .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
            // Since 2.30 the SDK adds CRC trailers in aws-chunked bodies by default, which several
            // S3-compatible servers reject; integrity is checked end to end by the manifests' SHA-256.
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
    if (options.endpoint() != null) {
      b.endpointOverride(options.endpoint());
    }
    return b;
  }

  private static Region region(S3Options options) {
    if (options.region() != null) {
      return Region.of(options.region());
    }
    if (options.endpoint() != null) {
      // S3-compatible servers ignore the region, but SigV4 signing needs one.
      return Region.US_EAST_1;
    }
    try {
      return DefaultAwsRegionProviderChain.builder().build().getRegion();
    } catch (SdkClientException e) {
      throw new IllegalArgumentException(
          "no AWS region: give the S3 option 'region', or set AWS_REGION, or an endpoint", e);
    }
  }

  private static AwsCredentialsProvider credentials(S3Options options) {
    if (options.accessKey() != null) {
      return StaticCredentialsProvider.create(
          AwsBasicCredentials.create(options.accessKey(), options.secretKey()));
    }
    return DefaultCredentialsProvider.builder().build();
  }
}
