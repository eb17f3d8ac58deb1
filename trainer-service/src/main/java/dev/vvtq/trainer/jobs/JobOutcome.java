package dev.vvtq.trainer.jobs;

import dev.vvtq.proto.v1.JobResult;
import dev.vvtq.proto.v1.JobState;

/** How a job ended: its terminal state, why, and (when it succeeded) its result. */
record JobOutcome(JobState state, String message, JobResult result) {
  static JobOutcome succeeded(String message, JobResult result) {
    return new JobOutcome(JobState.JOB_STATE_SUCCEEDED, message, result);
  }

  static JobOutcome cancelled(String message) {
    return new JobOutcome(JobState.JOB_STATE_CANCELLED, message, null);
  }
}
