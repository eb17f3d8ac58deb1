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

  /**
   * Under mpirun, sets DJL's intra-op threads to this rank's share of the node's cores (all of them
   * for one rank per node: libtorch's own default there is one per physical core, fewer than a
   * process started without mpirun uses) and, when ranks share the node, one inter-op thread.
   */
  public static void apply(Launch launch) {
    if (!launch.underMpirun()) {
      return;
    }
    if (System.getProperty(INTRA_OP) == null) {
      System.setProperty(INTRA_OP, Integer.toString(launch.threadsPerRank(Runtime.getRuntime().availableProcessors())));
    }
    if (launch.localSize() > 1 && System.getProperty(INTER_OP) == null) {
      System.setProperty(INTER_OP, "1");
    }
  }
}
