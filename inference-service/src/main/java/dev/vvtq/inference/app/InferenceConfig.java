package dev.vvtq.inference.app;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/** The service's own settings, {@code vvtq.inference.*} in application.properties. */
@ConfigMapping(prefix = "vvtq.inference")
public interface InferenceConfig {

  /** Where exported models are read from. */
  Store store();

  /** Local folder the models' files are fetched into (and verified) before loading. */
  @WithDefault("${java.io.tmpdir}/vvtq-model-cache")
  Path cacheDir();

  /**
   * Models loaded at start, as {@code name=store-key} (or just {@code models/<name>/<version>}),
   * comma-separated. The server is ready once all of them are.
   */
  Optional<List<String>> models();

  Batching batching();

  Engine engine();

  /** Threads that decode and preprocess images; default: the number of processors. */
  OptionalInt preprocessThreads();

  /** Largest image (width x height) that is decoded; larger ones are refused from their header. */
  @WithDefault("40000000")
  long maxImagePixels();

  /** How long unloading a model (or stopping the server) waits for its queued requests. */
  @WithDefault("30s")
  Duration drainTimeout();

  /** The artifact store. */
  interface Store {
    /** A folder, a {@code file:} URI or {@code s3://bucket/prefix}. */
    @WithDefault("work/artifacts")
    String location();

    /**
     * S3 options for {@code s3://} locations: endpoint, region, path-style, access-key, secret-key,
     * max-attempts (e.g. {@code vvtq.inference.store.s3.endpoint=http://minio:9000}).
     */
    Map<String, String> s3();
  }

  /** Dynamic batching, per model. */
  interface Batching {
    /** false: every request runs alone (max batch 1, no waiting). */
    @WithDefault("true")
    boolean enabled();

    /** Most images in one engine call. */
    @WithDefault("8")
    int maxBatchSize();

    /** How long a batch may wait for more requests after its first one arrived, in microseconds. */
    @WithName("max-queue-delay-us")
    @WithDefault("2000")
    long maxQueueDelayMicros();

    /** Requests admitted per model and not yet computing; beyond it RESOURCE_EXHAUSTED. */
    @WithDefault("64")
    int queueCapacity();

    /**
     * Settings of single models by name, e.g. {@code vvtq.inference.batching.model.deit-t.enabled=false};
     * what a model leaves unset comes from the settings above.
     */
    Map<String, ModelBatching> model();
  }

  /** Batching settings of one model; each overrides the server-wide one when set. */
  interface ModelBatching {
    Optional<Boolean> enabled();

    OptionalInt maxBatchSize();

    @WithName("max-queue-delay-us")
    OptionalLong maxQueueDelayMicros();

    OptionalInt queueCapacity();
  }

  /** The integer engine. */
  interface Engine {
    /**
     * The engine backend: {@code auto} (oneDNN where its natives load, else java, with one log line),
     * {@code java}, or {@code onednn} (loading fails where its natives do not load).
     */
    @WithDefault("auto")
    String backend();

    /** Compute threads per engine call; default: the number of processors. */
    OptionalInt threads();

    /**
     * Longest warm-up of a model before it is reported ready. Warm-up normally ends within seconds,
     * once the JIT has compiled the kernels; it runs to this limit only when some kernel never
     * compiles allocation-free (the JDK 17 case of int-engine/README.md), and the model is then slow.
     */
    @WithDefault("60s")
    Duration warmUpBudget();
  }
}
