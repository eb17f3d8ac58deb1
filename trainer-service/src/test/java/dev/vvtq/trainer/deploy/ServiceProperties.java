package dev.vvtq.trainer.deploy;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A service's packaged application.properties: the keys it sets, the keys it documents (commented
 * out, {@code # key=value}), and its ports.
 */
record ServiceProperties(String service, Map<String, String> values, Set<String> documented) {

  private static final Pattern COMMENTED_KEY = Pattern.compile("^#\\s*([a-z][a-z0-9.-]*[a-z0-9])=.*$");

  /** {@code <repo>/<service>/src/main/resources/application.properties}. */
  static ServiceProperties of(Path repoRoot, String service) throws IOException {
    Path file = repoRoot.resolve(service).resolve("src/main/resources/application.properties");
    String text = Files.readString(file, StandardCharsets.UTF_8);
    Map<String, String> values = new LinkedHashMap<>();
    parse(text).forEach((k, v) -> {
      if (!k.startsWith("%")) {
        values.put(k, v);
      }
    });
    Set<String> documented = new HashSet<>();
    for (String line : text.split("\n")) {
      Matcher m = COMMENTED_KEY.matcher(line.strip());
      if (m.matches()) {
        documented.add(m.group(1));
      }
    }
    return new ServiceProperties(service, values, documented);
  }

  /** A properties file's entries, in order. */
  static Map<String, String> parse(String text) {
    Properties p = new Properties();
    try {
      p.load(new StringReader(text));
    } catch (IOException e) {
      throw new IllegalArgumentException(e);
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (String name : p.stringPropertyNames()) {
      out.put(name, p.getProperty(name));
    }
    return out;
  }

  /** Whether the service knows {@code key}: it sets it, or documents it in a comment. */
  boolean knows(String key) {
    return values.containsKey(key) || documented.contains(key);
  }

  /** The gRPC port. */
  int grpcPort() {
    return Integer.parseInt(values.get("quarkus.grpc.server.port"));
  }

  /** The HTTP port (health, metrics). */
  int httpPort() {
    return Integer.parseInt(values.get("quarkus.http.port"));
  }

  /** The service's own prefix, e.g. {@code vvtq.trainer} (from its store key). */
  String prefix() {
    for (String k : values.keySet()) {
      if (k.endsWith(".store.location")) {
        return k.substring(0, k.length() - ".store.location".length());
      }
    }
    throw new IllegalStateException(service + ": no <prefix>.store.location in application.properties");
  }
}
