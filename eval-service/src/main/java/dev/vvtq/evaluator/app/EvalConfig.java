package dev.vvtq.evaluator.app;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalInt;

/** The evaluation service's own settings, {@code vvtq.eval.*} in application.properties. */
@ConfigMapping(prefix = "vvtq.eval")
public interface EvalConfig {

  /** Where checkpoints and exported models are read, and evaluations ({@code evaluations/<id>.json}) written. */
  Store store();

  /** Scratch space for fetched checkpoints and models (each verified against its manifest). */
  @WithDefault("${java.io.tmpdir}/vvtq-eval")
  Path workDir();

  /** Images per forward pass when a request leaves batch_size at 0. */
  @WithDefault("64")
  int batchSize();

  /** Threads decoding and preprocessing images. */
  @WithDefault("2")
  int loaderThreads();

  /** Evaluations computed at once (each uses every core); more wait in line. */
  @WithDefault("1")
  int maxConcurrent();

  /** Evaluations waiting for a turn; beyond that a request is refused with RESOURCE_EXHAUSTED. */
  @WithDefault("8")
  int maxQueued();

  /** Least time between two progress events of one evaluation. */
  @WithDefault("250ms")
  Duration progressInterval();

  /** Compute threads of the integer engine; default: the number of processors. */
  OptionalInt intEngineThreads();

  /** The integer engine's backend: auto (oneDNN where its natives load, else java), java or onednn. */
  @WithDefault("auto")
  String intEngineBackend();

  /** The artifact store. */
  interface Store {
    /** A folder, a {@code file:} URI or {@code s3://bucket/prefix}. */
    @WithDefault("work/artifacts")
    String location();

    /** S3 options for {@code s3://}: endpoint, region, path-style, access-key, secret-key, max-attempts. */
    Map<String, String> s3();
  }
}
