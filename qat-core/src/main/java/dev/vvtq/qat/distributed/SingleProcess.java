package dev.vvtq.qat.distributed;

import java.nio.ByteBuffer;

/** The group of one: every collective is the identity, and nothing native is loaded. */
public final class SingleProcess implements ProcessGroup {
  /** The one instance (it holds no state). */
  public static final SingleProcess INSTANCE = new SingleProcess();

  private SingleProcess() {}

  @Override
  public int rank() {
    return 0;
  }

  @Override
  public int size() {
    return 1;
  }

  @Override
  public void sumFloatsInPlace(ByteBuffer direct) {}

  @Override
  public void sumInPlace(double[] values) {}

  @Override
  public void broadcastFromRoot(ByteBuffer direct) {}

  @Override
  public void barrier() {}

  @Override
  public void abort(String reason, int exitCode) {
    System.err.println("vvtq: " + reason);
    System.err.flush();
    Runtime.getRuntime().halt(exitCode);
  }

  @Override
  public void close() {}
}
