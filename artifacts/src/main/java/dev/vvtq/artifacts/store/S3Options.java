package dev.vvtq.artifacts.store;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * How to reach an S3 API. Every field may be null: without an endpoint the client talks to AWS and
 * finds region and credentials through the default AWS chains (environment, profile, instance role).
 *
 * @param endpoint e.g. {@code http://minio:9000}; null for AWS
 * @param region e.g. {@code eu-west-1}; null means us-east-1 with an endpoint, the AWS chain without
 * @param pathStyle {@code http://host/bucket/key} addressing; null means true with an endpoint (MinIO,
 *     Ceph, S3Proxy want it) and false for AWS
 * @param accessKey explicit access key id, given together with {@code secretKey}, or neither
 * @param secretKey explicit secret access key
 * @param retry how transient failures are retried; null means {@link RetryPolicy#DEFAULT}
 */
public record S3Options(
    URI endpoint,
    String region,
    Boolean pathStyle,
    String accessKey,
    String secretKey,
    RetryPolicy retry) {

  /** The option names {@link #fromMap} understands. */
  public static final Set<String> KEYS =
      Set.of("endpoint", "region", "path-style", "access-key", "secret-key", "max-attempts");

  public S3Options {
    region = blankToNull(region);
    accessKey = blankToNull(accessKey);
    secretKey = blankToNull(secretKey);
    if (endpoint != null
        && (endpoint.getHost() == null
            || !("http".equals(endpoint.getScheme()) || "https".equals(endpoint.getScheme())))) {
      throw new IllegalArgumentException(
          "S3 endpoint '" + endpoint + "' must be an http:// or https:// URL with a host");
    }
    if ((accessKey == null) != (secretKey == null)) {
      throw new IllegalArgumentException(
          "give both access-key and secret-key, or neither to use the default AWS credential chain");
    }
    retry = retry == null ? RetryPolicy.DEFAULT : retry;
  }

  /** No options: AWS, default chains, default retries. */
  public static S3Options defaults() {
    return new S3Options(null, null, null, null, null, null);
  }

  /**
   * Options from string pairs, as a command line or config file gives them: {@code endpoint},
   * {@code region}, {@code path-style} (true/false), {@code access-key}, {@code secret-key}, {@code
   * max-attempts}. Unknown names are refused.
   */
  public static S3Options fromMap(Map<String, String> options) {
    Set<String> unknown = new TreeSet<>(options.keySet());
    unknown.removeAll(KEYS);
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(
          "unknown S3 option(s) " + unknown + "; known: " + new TreeSet<>(KEYS));
    }
    URI endpoint = null;
    String e = blankToNull(options.get("endpoint"));
    if (e != null) {
      try {
        endpoint = new URI(e);
      } catch (URISyntaxException ex) {
        throw new IllegalArgumentException("S3 option endpoint '" + e + "' is not a URL: " + ex.getMessage());
      }
    }
    Boolean pathStyle = null;
    String ps = blankToNull(options.get("path-style"));
    if (ps != null) {
      if (!ps.equalsIgnoreCase("true") && !ps.equalsIgnoreCase("false")) {
        throw new IllegalArgumentException("S3 option path-style must be true or false, got '" + ps + "'");
      }
      pathStyle = Boolean.parseBoolean(ps);
    }
    RetryPolicy retry = RetryPolicy.DEFAULT;
    String attempts = blankToNull(options.get("max-attempts"));
    if (attempts != null) {
      try {
        retry = retry.withMaxAttempts(Integer.parseInt(attempts));
      } catch (IllegalArgumentException ex) {
        throw new IllegalArgumentException(
            "S3 option max-attempts must be a whole number >= 1, got '" + attempts + "'");
      }
    }
    return new S3Options(
        endpoint,
        options.get("region"),
        pathStyle,
        options.get("access-key"),
        options.get("secret-key"),
        retry);
  }

  /** The same options with another endpoint. */
  public S3Options withEndpoint(URI uri) {
    return new S3Options(uri, region, pathStyle, accessKey, secretKey, retry);
  }

  /** The same options with explicit credentials. */
  public S3Options withCredentials(String access, String secret) {
    return new S3Options(endpoint, region, pathStyle, access, secret, retry);
  }

  /** The same options with another retry policy. */
  public S3Options withRetry(RetryPolicy policy) {
    return new S3Options(endpoint, region, pathStyle, accessKey, secretKey, policy);
  }

  /** Path-style addressing after defaults. */
  public boolean effectivePathStyle() {
    return pathStyle != null ? pathStyle : endpoint != null;
  }

  // The secret must not end up in logs or error messages.
  @Override
  public String toString() {
    return "S3Options[endpoint=" + endpoint + ", region=" + region + ", pathStyle=" + pathStyle
        + ", accessKey=" + accessKey + ", secretKey=" + (secretKey == null ? null : "****")
        + ", retry=" + retry + "]";
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }
}
