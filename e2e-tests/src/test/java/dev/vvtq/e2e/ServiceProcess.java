package dev.vvtq.e2e;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One packaged service ({@code target/quarkus-app/quarkus-run.jar}) run as its own JVM with the
 * flags the README gives, on free ports, its output in a log file.
 */
final class ServiceProcess implements AutoCloseable {
  private final String name;
  private final Process process;
  private final Path log;
  final int grpcPort;
  final int httpPort;

  private ServiceProcess(String name, Process process, Path log, int grpcPort, int httpPort) {
    this.name = name;
    this.process = process;
    this.log = log;
    this.grpcPort = grpcPort;
    this.httpPort = httpPort;
  }

  /** Starts {@code jar} with {@code properties} as -D options and waits until /q/health/ready says UP. */
  static ServiceProcess start(String name, Path jar, Map<String, String> properties, Path logDir) throws Exception {
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: package the service first (./mvnw -pl " + name + " -am package)");
    }
    int grpc = freePort();
    int http = freePort();
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Dai.djl.offline=true");
    cmd.add("--add-modules");
    cmd.add("jdk.incubator.vector");
    if (Runtime.version().feature() >= 22) {
      cmd.add("--enable-native-access=ALL-UNNAMED");
    }
    cmd.add("-Xmx2g");
    cmd.add("-Dquarkus.grpc.server.port=" + grpc);
    cmd.add("-Dquarkus.http.port=" + http);
    cmd.add("-Dquarkus.grpc.server.host=127.0.0.1");
    cmd.add("-Dquarkus.http.host=127.0.0.1");
    properties.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
    cmd.add("-jar");
    cmd.add(jar.toString());
    Files.createDirectories(logDir);
    Path log = logDir.resolve(name + ".log");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    ServiceProcess s = new ServiceProcess(name, p, log, grpc, http);
    try {
      s.awaitReady(120);
    } catch (Exception | AssertionError e) {
      s.close();
      throw e;
    }
    return s;
  }

  private void awaitReady(int seconds) throws Exception {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < until) {
      if (!process.isAlive()) {
        throw new AssertionError(name + " exited with " + process.exitValue() + " before it was ready:\n" + tail());
      }
      try {
        HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + httpPort + "/q/health/ready").toURL()
            .openConnection();
        c.setConnectTimeout(1000);
        c.setReadTimeout(2000);
        if (c.getResponseCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // Not listening yet.
      }
      Thread.sleep(200);
    }
    throw new AssertionError(name + " not ready after " + seconds + " s:\n" + tail());
  }

  String target() {
    return "127.0.0.1:" + grpcPort;
  }

  /** The last lines of the service's log, for failure messages. */
  String tail() throws IOException {
    List<String> lines = Files.readAllLines(log);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
  }

  /** SIGTERM (graceful shutdown), then a kill if it does not stop in time. */
  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
