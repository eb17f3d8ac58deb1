package dev.vvtq.inference.app;

import dev.vvtq.inference.batching.BatchListener;
import dev.vvtq.inference.grpc.RequestMetrics;
import dev.vvtq.inference.registry.LoadedModel;
import dev.vvtq.inference.registry.RegistryObserver;
import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The service's Micrometer meters (Prometheus at /q/metrics): requests by model, method and status,
 * request latency and batch-size histograms, engine time per batch, dropped requests and the queue
 * depth of each model.
 */
@ApplicationScoped
public class InferenceMetrics implements RequestMetrics, RegistryObserver {
  /** The model tag of requests that named no registered model: keeps the tag's values bounded. */
  static final String UNKNOWN_MODEL = "_unknown";

  private static final Duration[] LATENCY_BUCKETS = {
      Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5),
      Duration.ofMillis(10), Duration.ofMillis(20), Duration.ofMillis(50), Duration.ofMillis(100),
      Duration.ofMillis(200), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2),
      Duration.ofSeconds(5)};
  private static final double[] BATCH_BUCKETS = {1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64};

  private final MeterRegistry meters;
  private final Map<String, LoadedModel> serving = new ConcurrentHashMap<>();
  private final Map<String, Boolean> gauges = new ConcurrentHashMap<>();

  public InferenceMetrics(MeterRegistry meters) {
    this.meters = meters;
  }

  @Override
  public void requestFinished(String model, String method, Status.Code code, long nanos) {
    String m = model == null ? UNKNOWN_MODEL : model;
    Counter.builder("vvtq.inference.requests")
        .description("Finished requests by model, method and gRPC status")
        .tags("model", m, "method", method, "status", code.name())
        .register(meters)
        .increment();
    Timer.builder("vvtq.inference.request.latency")
        .description("Time from receipt to answer of a request")
        .tags("model", m, "method", method)
        .serviceLevelObjectives(LATENCY_BUCKETS)
        .register(meters)
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public BatchListener batchListener(String modelName) {
    DistributionSummary batchSize = DistributionSummary.builder("vvtq.inference.batch.size")
        .description("Images per engine call")
        .tags("model", modelName)
        .serviceLevelObjectives(BATCH_BUCKETS)
        .register(meters);
    Timer compute = Timer.builder("vvtq.inference.batch.compute")
        .description("Engine time per batch")
        .tags("model", modelName)
        .serviceLevelObjectives(LATENCY_BUCKETS)
        .register(meters);
    return new BatchListener() {
      @Override
      public void batchComputed(int items, int requests, long computeNanos) {
        batchSize.record(items);
        compute.record(computeNanos, TimeUnit.NANOSECONDS);
      }

      @Override
      public void requestDropped(DropReason reason) {
        Counter.builder("vvtq.inference.dropped")
            .description("Queued requests not computed: deadline passed, caller cancelled, or failed")
            .tags("model", modelName, "reason", reason.name())
            .register(meters)
            .increment();
      }
    };
  }

  @Override
  public void modelReady(LoadedModel model) {
    serving.put(model.name(), model);
    gauges.computeIfAbsent(model.name(), name -> {
      Gauge.builder("vvtq.inference.queue.depth", serving, s -> {
            LoadedModel m = s.get(name);
            return m == null ? 0 : m.batcher().queueDepth();
          })
          .description("Requests admitted and waiting for a batch")
          .tags("model", name)
          .register(meters);
      return Boolean.TRUE;
    });
    gauges.computeIfAbsent(model.name() + "\0backend\0" + model.backend(), key -> {
      Gauge.builder("vvtq.inference.model.backend", serving, s -> {
            LoadedModel m = s.get(model.name());
            return m != null && model.backend().equals(m.backend()) ? 1 : 0;
          })
          .description("1 for the engine backend that computes the model now")
          .tags("model", model.name(), "backend", model.backend())
          .register(meters);
      return Boolean.TRUE;
    });
  }

  @Override
  public void modelRetired(LoadedModel model) {
    serving.remove(model.name(), model);
  }
}
