package dev.vvtq.qat.distributed;

import java.nio.ByteBuffer;

/**
 * The ranks of one data-parallel job and the collectives the trainer needs. Every rank must make
 * the same calls in the same order (MPI's rule); buffers are direct and reduced or filled in place.
 */
public interface ProcessGroup extends AutoCloseable {
  /** This process's rank, 0 to {@code size() - 1}. */
  int rank();

  /** Number of ranks. */
  int size();

  /** Whether this rank writes checkpoints, records, logs and telemetry. */
  default boolean isRoot() {
    return rank() == 0;
  }

  /** Sums the native-order floats of {@code direct} (position to limit) over all ranks, in place. */
  void sumFloatsInPlace(ByteBuffer direct);

  /** Sums {@code values} over all ranks, in place. */
  void sumInPlace(double[] values);

  /** Copies rank 0's bytes of {@code direct} (position to limit) into every other rank's buffer. */
  void broadcastFromRoot(ByteBuffer direct);

  /** Waits until every rank has called it. */
  void barrier();

  /**
   * Ends the whole job (every rank) after printing which rank failed and why; does not return when
   * ranks are connected.
   */
  void abort(String reason, int exitCode);

  /** Leaves the group; further collectives fail. */
  @Override
  void close();
}
