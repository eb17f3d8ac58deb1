package dev.vvtq.qat.data;

import java.io.IOException;
import java.util.function.Consumer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Installs a Debian package that provides a data folder: {@code apt-get install -y PACKAGE} when
 * running as root (retried after {@code apt-get update} when the first try fails, as on a machine
 * whose package lists were never fetched); as another user, fails with the command to run.
 */
public final class DebianPackage {
  private final String name;
  private final Path providedFolder;
  private final BooleanSupplier isRoot;

  public DebianPackage(String name, Path providedFolder) {
    this(name, providedFolder, DebianPackage::runningAsRoot);
  }

  DebianPackage(String name, Path providedFolder, BooleanSupplier isRoot) {
    this.name = name;
    this.providedFolder = providedFolder;
    this.isRoot = isRoot;
  }

  /** The shell command a non-root user is told to run. */
  public String installCommand() {
    return "sudo apt-get update && sudo apt-get install -y " + name;
  }

  /** Makes sure the folder exists, installing the package if needed; messages go to {@code log}, one line each. */
  public void ensureInstalled(Consumer<String> log) throws IOException {
    if (Files.isDirectory(providedFolder)) {
      return;
    }
    if (!isRoot.getAsBoolean()) {
      throw new IOException(providedFolder + " is missing: it comes with the Debian package " + name
          + ". Install it with\n  " + installCommand() + "\nor pass --source DIR pointing at a folder with the data files.");
    }
    log.accept(providedFolder + " is missing: installing the Debian package " + name);
    int rc = run(List.of("apt-get", "install", "-y", name));
    if (rc != 0) {
      log.accept("apt-get install failed (exit " + rc + "); running apt-get update and trying again");
      int update = run(List.of("apt-get", "update"));
      if (update != 0) {
        throw new IOException("apt-get update failed (exit " + update + "); cannot install " + name);
      }
      rc = run(List.of("apt-get", "install", "-y", name));
      if (rc != 0) {
        throw new IOException("apt-get install -y " + name + " failed (exit " + rc + ") even after apt-get update");
      }
    }
    if (!Files.isDirectory(providedFolder)) {
      throw new IOException("the Debian package " + name + " is installed but " + providedFolder + " is still missing");
    }
  }

  private static int run(List<String> command) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(command);
    // apt's output goes to our stderr so that stdout stays clean for results.
    pb.redirectOutput(ProcessBuilder.Redirect.to(Path.of("/dev/stderr").toFile()));
    pb.redirectError(ProcessBuilder.Redirect.INHERIT);
    pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
    try {
      return pb.start().waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running " + String.join(" ", command), e);
    }
  }

  private static boolean runningAsRoot() {
    try {
      return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue() == 0;
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return "root".equals(System.getProperty("user.name"));
    }
  }
}
