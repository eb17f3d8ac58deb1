package dev.vvtq.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Turns SIGTERM or Ctrl-C into a stop request that a long command honours at its next safe point
 * (between native DJL calls), and holds the JVM's exit until the command has stopped.
 *
 * <p>Without it the JVM runs its exit while the main thread is inside libtorch (a backward pass),
 * which crashed it (SIGSEGV in libtorch's teardown) and lost the work since the last checkpoint.
 * The shutdown hook sets the request and then waits, at most {@link #BOUND}, for {@link #close()},
 * which the command calls once it has written its checkpoint and record and closed its native
 * resources. The JVM then exits with the signal's conventional status (143 for SIGTERM, 130 for
 * SIGINT); the hook must not wait for the main thread itself, which blocks in {@code System.exit}
 * once shutdown has begun.
 */
final class GracefulStop implements AutoCloseable {
  /** How long a signal waits for the command to stop before the JVM exits anyway. */
  static final Duration BOUND = Duration.ofMinutes(2);

  /** Exit status of a command stopped on request (the shell's for SIGINT). */
  static final int STOPPED_STATUS = 130;

  private final AtomicBoolean requested = new AtomicBoolean();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final Thread hook;

  private GracefulStop(String command, PrintWriter err) {
    hook = new Thread(() -> {
      requested.set(true);
      err.println(command + ": stopping at the next safe point (a checkpoint is written first); a rerun resumes");
      err.flush();
      try {
        if (!stopped.await(BOUND.toMillis(), TimeUnit.MILLISECONDS)) {
          err.println(command + ": did not stop within " + BOUND.toSeconds() + " s; exiting anyway");
          err.flush();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "vvtq-graceful-stop");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** A command body that stops when asked to. */
  interface Body {
    int run(GracefulStop stop) throws Exception;
  }

  /**
   * Runs a command body under a stop hook: a {@link Stopped} unwinding from it is reported and
   * answered with {@link #STOPPED_STATUS}; the hook is released once the body has returned.
   */
  static int run(String command, PrintWriter err, Body body) throws Exception {
    GracefulStop stop = install(command, err);
    try {
      return body.run(stop);
    } catch (Stopped e) {
      err.println(command + ": " + e.getMessage());
      err.flush();
      return STOPPED_STATUS;
    } finally {
      stop.close();
    }
  }

  /** Installs the hook for one command run; close it when the command is done. */
  static GracefulStop install(String command, PrintWriter err) {
    return new GracefulStop(command, err);
  }

  /** Whether a stop was asked for. */
  boolean requested() {
    return requested.get();
  }

  /** Throws {@link Stopped} if a stop was asked for; call it only where stopping is safe. */
  void throwIfRequested() {
    if (requested.get()) {
      throw new Stopped();
    }
  }

  /** Lets a waiting signal exit the JVM, and removes the hook when no signal came. */
  @Override
  public void close() {
    stopped.countDown();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // The JVM is exiting; the hook is running and has just been released.
    }
  }

  /** Unwinds a command stopped at a safe point; its work so far is kept and a rerun resumes. */
  static final class Stopped extends RuntimeException {
    Stopped() {
      super("stopped on request; rerun the same command to resume");
    }
  }
}
