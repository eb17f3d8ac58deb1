package dev.vvtq.qat.distributed;

/**
 * Sizes PyTorch's thread pools to this rank's share of the node's cores. With {@code --bind-to none}
 * each rank's JVM sees every core, and pools sized to all of them on every rank compete for the
 * cores (DJL then runs 10-70x slower). Must run before DJL's engine starts; explicit settings win.
 */
public final class RankThreads {
  static final String INTRA_OP = "ai.djl.pytorch.num_threads";
  static final String INTER_OP = "ai.djl.pytorch.num_interop_threads";

  private RankThreads() {}

  /** Sets DJL's intra-op (share of cores) and inter-op (1) threads when several ranks share the node. */
  public static void apply(Launch launch) {
    if (launch.localSize() <= 1) {
      return;
    }
    if (System.getProperty(INTRA_OP) == null) {
      System.setProperty(INTRA_OP, Integer.toString(launch.threadsPerRank(Runtime.getRuntime().availableProcessors())));
    }
    if (System.getProperty(INTER_OP) == null) {
      System.setProperty(INTER_OP, "1");
    }
  }
}
