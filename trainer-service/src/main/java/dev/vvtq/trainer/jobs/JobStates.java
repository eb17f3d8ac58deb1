package dev.vvtq.trainer.jobs;

import dev.vvtq.proto.v1.JobState;
import dev.vvtq.qat.train.RunStatus;

/** Between the API's job states and the run records' statuses. */
public final class JobStates {
  private JobStates() {}

  public static boolean terminal(JobState s) {
    return s == JobState.JOB_STATE_SUCCEEDED || s == JobState.JOB_STATE_FAILED || s == JobState.JOB_STATE_CANCELLED;
  }

  public static JobState of(RunStatus s) {
    return switch (s) {
      case QUEUED -> JobState.JOB_STATE_QUEUED;
      case RUNNING -> JobState.JOB_STATE_RUNNING;
      case SUCCEEDED -> JobState.JOB_STATE_SUCCEEDED;
      case FAILED -> JobState.JOB_STATE_FAILED;
      case CANCELLED -> JobState.JOB_STATE_CANCELLED;
    };
  }

  /** The name used in metrics and logs, e.g. "succeeded". */
  public static String label(JobState s) {
    return s.name().substring("JOB_STATE_".length()).toLowerCase(java.util.Locale.ROOT);
  }
}
