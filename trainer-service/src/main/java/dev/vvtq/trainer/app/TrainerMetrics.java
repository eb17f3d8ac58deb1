package dev.vvtq.trainer.app;

import dev.vvtq.proto.v1.JobKind;
import dev.vvtq.proto.v1.JobState;
import dev.vvtq.trainer.jobs.JobManager;
import dev.vvtq.trainer.jobs.JobMetrics;
import dev.vvtq.trainer.jobs.JobStates;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Locale;

/**
 * The trainer's meters: {@code vvtq_trainer_jobs{state}} (jobs of this process by state), {@code
 * vvtq_trainer_jobs_submitted_total{kind}}, {@code vvtq_trainer_jobs_finished_total{kind,state}},
 * {@code vvtq_trainer_step_seconds} (histogram) and {@code vvtq_trainer_images_per_second}.
 */
@Singleton
public class TrainerMetrics implements JobMetrics {
  private final MeterRegistry registry;
  private final Timer steps;
  private final DistributionSummary throughput;
  // Held here: gauges keep only a weak reference to the object they read.
  private final Instance<JobManager> jobs;

  public TrainerMetrics(MeterRegistry registry, Instance<JobManager> jobs) {
    this.registry = registry;
    this.jobs = jobs;
    this.steps = Timer.builder("vvtq.trainer.step")
        .description("Wall time of one optimizer step (data, forward, backward, update)")
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofMinutes(2))
        .register(registry);
    this.throughput = DistributionSummary.builder("vvtq.trainer.images.per.second")
        .description("Training images per second over the current pass, sampled every step")
        .register(registry);
    for (JobState s : JobState.values()) {
      if (s == JobState.JOB_STATE_UNSPECIFIED || s == JobState.UNRECOGNIZED) {
        continue;
      }
      Gauge.builder("vvtq.trainer.jobs", jobs, j -> j.isResolvable() ? j.get().countsByState().getOrDefault(s, 0) : 0)
          .description("Jobs of this process by state")
          .tag("state", JobStates.label(s))
          .register(registry);
    }
  }

  @Override
  public void submitted(JobKind kind) {
    Counter.builder("vvtq.trainer.jobs.submitted").tag("kind", kind(kind)).register(registry).increment();
  }

  @Override
  public void finished(JobKind kind, JobState state) {
    Counter.builder("vvtq.trainer.jobs.finished").tag("kind", kind(kind)).tag("state", JobStates.label(state))
        .register(registry).increment();
  }

  @Override
  public void step(double seconds, double imagesPerSecond) {
    steps.record(Duration.ofNanos((long) (seconds * 1e9)));
    throughput.record(imagesPerSecond);
  }

  private static String kind(JobKind k) {
    return k.name().substring("JOB_KIND_".length()).toLowerCase(Locale.ROOT);
  }
}
