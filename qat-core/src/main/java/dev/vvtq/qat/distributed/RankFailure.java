package dev.vvtq.qat.distributed;

import java.util.concurrent.Callable;

/**
 * What a failing rank does: in a job of several ranks the others would wait forever in their next
 * collective, so the failure ends the whole job (MPI_Abort) naming the rank and the reason.
 */
public final class RankFailure {
  private RankFailure() {}

  /** Runs {@code work}; on any failure in a group of several ranks, aborts the job (does not return). */
  public static <T> T abortJobOnFailure(ProcessGroup group, Callable<T> work) throws Exception {
    try {
      return work.call();
    } catch (Exception | Error e) {
      if (group.size() > 1) {
        String reason = e.getMessage() == null ? e.toString() : e.getClass().getSimpleName() + ": " + e.getMessage();
        e.printStackTrace();
        group.abort(reason, 1);
      }
      throw e;
    }
  }
}
