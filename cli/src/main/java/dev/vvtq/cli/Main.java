package dev.vvtq.cli;

import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import picocli.CommandLine;

/** Entry point of the {@code vvtq} command line. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The configured command line (also used by tests). */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new VvtqCommand());
    // Failures the user can fix are reported as one message, not a stack trace.
    cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      commandLine.getErr().println(commandLine.getCommandSpec().qualifiedName() + ": error: " + message(e));
      if (System.getenv("VVTQ_DEBUG") != null) {
        e.printStackTrace(commandLine.getErr());
      }
      return 1;
    });
    return cl;
  }

  /**
   * The one line a failure is reported with. The JDK's file-system exceptions carry only the path as
   * their message, which reads as if the path were the error.
   */
  static String message(Throwable e) {
    if (e instanceof NoSuchFileException f) {
      return "no such file or folder: " + paths(f);
    }
    if (e instanceof AccessDeniedException f) {
      return "permission denied: " + paths(f);
    }
    if (e instanceof FileAlreadyExistsException f) {
      return "already exists: " + paths(f);
    }
    if (e instanceof NotDirectoryException f) {
      return "not a folder: " + paths(f);
    }
    if (e instanceof DirectoryNotEmptyException f) {
      return "folder not empty: " + paths(f);
    }
    if (e instanceof FileSystemException f && f.getReason() == null) {
      return "file system error on " + paths(f);
    }
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }

  private static String paths(FileSystemException f) {
    String s = f.getFile() + (f.getOtherFile() != null ? " -> " + f.getOtherFile() : "");
    return f.getReason() != null ? s + " (" + f.getReason() + ")" : s;
  }
}
