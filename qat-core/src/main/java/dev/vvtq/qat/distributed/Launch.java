package dev.vvtq.qat.distributed;

import java.util.Map;
import java.util.Optional;

/**
 * How this process was started, read from the variables Open MPI's launcher sets
 * ({@code OMPI_COMM_WORLD_SIZE}, {@code _RANK}, {@code _LOCAL_RANK}, {@code _LOCAL_SIZE}).
 *
 * @param worldSize ranks in the job (1 when not under mpirun)
 * @param rank this process's rank
 * @param localRank rank among the ranks of this node (selects the GPU)
 * @param localSize ranks on this node (they share its cores)
 * @param underMpirun whether mpirun started this process
 */
public record Launch(int worldSize, int rank, int localRank, int localSize, boolean underMpirun) {
  /** A process started without mpirun. */
  public static final Launch SINGLE = new Launch(1, 0, 0, 1, false);

  /** The launch described by this process's environment. */
  public static Launch fromEnvironment() {
    return from(System.getenv());
  }

  /** The launch described by {@code env}. */
  public static Launch from(Map<String, String> env) {
    Optional<Integer> size = intVar(env, "OMPI_COMM_WORLD_SIZE");
    if (size.isEmpty()) {
      return SINGLE;
    }
    int rank = intVar(env, "OMPI_COMM_WORLD_RANK").orElse(0);
    return new Launch(size.get(), rank, intVar(env, "OMPI_COMM_WORLD_LOCAL_RANK").orElse(0),
        intVar(env, "OMPI_COMM_WORLD_LOCAL_SIZE").orElse(1), true);
  }

  /**
   * Intra-op threads for this rank: its share of the node's cores, so that ranks on one node do
   * not oversubscribe them (competing OpenMP pools slow PyTorch by an order of magnitude).
   */
  public int threadsPerRank(int nodeCores) {
    return Math.max(1, nodeCores / Math.max(1, localSize));
  }

  /** The process group of this launch: MPI's world under mpirun, else a single process (MPI never loaded). */
  public ProcessGroup openGroup() {
    if (!underMpirun) {
      return SingleProcess.INSTANCE;
    }
    MpiProcessGroup world = MpiProcessGroup.world();
    if (world.size() != worldSize || world.rank() != rank) {
      throw new IllegalStateException("MPI reports rank " + world.rank() + " of " + world.size()
          + " but the launcher's environment says " + rank + " of " + worldSize);
    }
    return world;
  }

  private static Optional<Integer> intVar(Map<String, String> env, String name) {
    String v = env.get(name);
    if (v == null || v.isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Integer.parseInt(v.trim()));
    } catch (NumberFormatException e) {
      throw new IllegalStateException(name + "=" + v + " is not a number");
    }
  }
}
