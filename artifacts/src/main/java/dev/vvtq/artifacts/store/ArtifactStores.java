package dev.vvtq.artifacts.store;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Opens an {@link ArtifactStore} from a location string: a folder path or {@code file:} URI gives
 * a {@link LocalFolderStore}; {@code s3://bucket[/key/prefix]} gives an {@link S3ArtifactStore}
 * configured by {@link S3Options}.
 */
public final class ArtifactStores {
  private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]+:.*", Pattern.DOTALL);
  private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

  private ArtifactStores() {}

  /** Opens a store with default options (for S3: AWS with its default chains). */
  public static ArtifactStore open(String location) throws IOException {
    return open(location, S3Options.defaults());
  }

  /** Opens a store; string options (see {@link S3Options#fromMap}) apply to {@code s3://} only. */
  public static ArtifactStore open(String location, Map<String, String> options) throws IOException {
    if (!isS3(location) && !options.isEmpty()) {
      throw new IllegalArgumentException(
          "options " + options.keySet() + " apply to s3:// locations only, not to '" + location + "'");
    }
    return open(location, S3Options.fromMap(options));
  }

  /** Opens a store; the S3 options are ignored for local locations. */
  public static ArtifactStore open(String location, S3Options s3Options) throws IOException {
    if (location == null || location.isBlank()) {
      throw new IllegalArgumentException(
          "empty artifact store location; give a folder, a file: URI or s3://bucket/prefix");
    }
    if (isS3(location)) {
      String rest = location.substring("s3://".length());
      int slash = rest.indexOf('/');
      String bucket = slash < 0 ? rest : rest.substring(0, slash);
      String prefix = slash < 0 ? "" : stripTrailingSlashes(rest.substring(slash + 1));
      requireValidBucket(bucket);
      if (!prefix.isEmpty()) {
        try {
          ArtifactKeys.requireValidKey(prefix);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("bad key prefix in '" + location + "': " + e.getMessage(), e);
        }
      }
      return S3ArtifactStore.forBucket(bucket, prefix, s3Options);
    }
    return new LocalFolderStore(localPath(location));
  }

  private static boolean isS3(String location) {
    return location != null && location.regionMatches(true, 0, "s3://", 0, 5);
  }

  private static Path localPath(String location) {
    if (location.regionMatches(true, 0, "file:", 0, 5)) {
      try {
        URI uri = new URI(location);
        if (uri.isOpaque() || uri.getPath() == null) {
          throw new IllegalArgumentException(
              "'" + location + "' is not an absolute file: URI; write file:///abs/path or a plain path");
        }
        return Path.of(uri);
      } catch (URISyntaxException | IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
        throw new IllegalArgumentException(
            "'" + location + "' is not a usable file: URI (" + e.getMessage() + "); write file:///abs/path or a plain path", e);
      }
    }
    if (SCHEME.matcher(location).matches()) {
      String scheme = location.substring(0, location.indexOf(':'));
      throw new IllegalArgumentException(
          "unsupported artifact store scheme '" + scheme + "' in '" + location
              + "'; use a folder path, a file: URI or s3://bucket/prefix");
    }
    try {
      return Path.of(location);
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException("'" + location + "' is not a valid folder path: " + e.getMessage(), e);
    }
  }

  static String requireValidBucket(String bucket) {
    if (bucket == null || !BUCKET.matcher(bucket).matches() || bucket.contains("..")) {
      throw new IllegalArgumentException(
          "invalid S3 bucket name '" + bucket + "': 3 to 63 lowercase letters, digits, '.' or '-',"
              + " starting and ending with a letter or digit");
    }
    return bucket;
  }

  private static String stripTrailingSlashes(String s) {
    int end = s.length();
    while (end > 0 && s.charAt(end - 1) == '/') {
      end--;
    }
    return s.substring(0, end);
  }
}
