package dev.vvtq.trainer.app;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** The trainer service's own settings, {@code vvtq.trainer.*} in application.properties. */
@ConfigMapping(prefix = "vvtq.trainer")
public interface TrainerConfig {

  /** Where checkpoints, run records, soft labels and exported models go. */
  Store store();

  /** Scratch space: fetched checkpoints and soft labels, soft labels being generated (resumable). */
  @WithDefault("${java.io.tmpdir}/vvtq-trainer")
  Path workDir();

  /**
   * Jobs run at once. Training jobs are serialised whatever this says (DJL allows one gradient
   * collector per process); a higher value lets label jobs run beside a training job.
   */
  @WithDefault("1")
  int concurrency();

  /** At start-up, requeue jobs a previous process left QUEUED or RUNNING (training resumes from its latest checkpoint). */
  @WithDefault("true")
  boolean resumeInterrupted();

  /** Least time between two progress events sent to watchers of one job (the first and last step of a pass always go). */
  @WithDefault("250ms")
  Duration progressInterval();

  /** At shutdown, how long running jobs get to write a checkpoint and stop (they resume at the next start). */
  @WithDefault("60s")
  Duration shutdownTimeout();

  /** The artifact store. */
  interface Store {
    /** A folder, a {@code file:} URI or {@code s3://bucket/prefix}. */
    @WithDefault("work/artifacts")
    String location();

    /** S3 options for {@code s3://}: endpoint, region, path-style, access-key, secret-key, max-attempts. */
    Map<String, String> s3();
  }
}
