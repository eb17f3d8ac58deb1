package dev.vvtq.artifacts.files;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Who wrote a staging file or scratch folder, so that leftovers of a killed process can be removed
 * without touching a live writer's. Names carry a tag {@code <host>-<pid>} ({@link #TAG}); a
 * leftover is stale when its host is this one and no process with that pid runs that started before
 * the file was last written, or, for a file of another host or without a tag (written before tags
 * existed), when it has not been written for {@link #UNTAGGED_STALE_AFTER}.
 */
public final class StagingOwner {
  /** This process's tag: 8 hex digits of the host name's hash, a dash, the pid. */
  public static final String TAG = hostId() + "-" + ProcessHandle.current().pid();

  /** How long an untagged or foreign staging file must lie untouched before it counts as left over. */
  public static final Duration UNTAGGED_STALE_AFTER = Duration.ofHours(1);

  private static final Pattern TAGGED = Pattern.compile("([0-9a-f]{8})-([0-9]+)\\.");

  private StagingOwner() {}

  /**
   * Whether {@code file} (a staging file or scratch folder whose name has the owner tag right after
   * {@code tagAt} characters, if tagged) was left by a process that no longer writes it.
   */
  static boolean isLeftOver(Path file, int tagAt) {
    String name = file.getFileName().toString();
    FileTime modified;
    try {
      modified = Files.getLastModifiedTime(file);
    } catch (IOException e) {
      return false; // gone already, or unreadable: not ours to judge
    }
    Matcher m = TAGGED.matcher(name).region(Math.min(tagAt, name.length()), name.length());
    if (m.lookingAt() && m.group(1).equals(hostId())) {
      long pid = Long.parseLong(m.group(2));
      return !writerAlive(pid, modified.toInstant());
    }
    return Instant.now().minus(UNTAGGED_STALE_AFTER).isAfter(modified.toInstant());
  }

  /** Whether a name carries an owner tag of any host at {@code tagAt}. */
  static boolean isTagged(String name, int tagAt) {
    return tagAt <= name.length() && TAGGED.matcher(name).region(tagAt, name.length()).lookingAt();
  }

  private static boolean writerAlive(long pid, Instant lastWritten) {
    if (pid == ProcessHandle.current().pid()) {
      return true;
    }
    Optional<ProcessHandle> p = ProcessHandle.of(pid);
    if (p.isEmpty() || !p.get().isAlive()) {
      return false;
    }
    // A reused pid: the process running now started after the file was written, so it is not the writer.
    Optional<Instant> started = p.get().info().startInstant();
    return started.isEmpty() || !started.get().isAfter(lastWritten);
  }

  private static String hostId() {
    return Holder.HOST_ID;
  }

  /** Lazily computed, since resolving the host name can take a moment. */
  private static final class Holder {
    static final String HOST_ID = String.format(Locale.ROOT, "%08x", hostName().hashCode());

    private static String hostName() {
      String env = System.getenv("HOSTNAME");
      if (env != null && !env.isBlank()) {
        return env;
      }
      try {
        return InetAddress.getLocalHost().getHostName();
      } catch (IOException e) {
        return "localhost";
      }
    }
  }
}
