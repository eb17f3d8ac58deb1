package dev.vvtq.trainer.jobs;

import dev.vvtq.proto.v1.JobKind;
import dev.vvtq.proto.v1.JobState;

/** What the job machinery reports to monitoring. */
public interface JobMetrics {
  void submitted(JobKind kind);

  void finished(JobKind kind, JobState state);

  /** Wall time of one optimizer step (data, forward, backward, update). */
  void step(double seconds, double imagesPerSecond);

  /** Metrics off (tests of the job machinery alone). */
  JobMetrics NONE = new JobMetrics() {
    @Override
    public void submitted(JobKind kind) {}

    @Override
    public void finished(JobKind kind, JobState state) {}

    @Override
    public void step(double seconds, double imagesPerSecond) {}
  };
}
