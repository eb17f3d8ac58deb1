package dev.vvtq.inference.app;

import dev.vvtq.inference.registry.ModelRegistry;
import dev.vvtq.inference.registry.ModelSource;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse.ServingStatus;
import io.quarkus.grpc.runtime.health.GrpcHealthStorage;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.interceptor.Interceptor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * Loads the models of {@code vvtq.inference.models} in the background once the server is up (so
 * liveness answers while they load) and tells whether the server is ready: every one of them loaded
 * and the server not stopping. When a model fails to load the server stays unready and says why.
 * The standard gRPC health service reports the same: NOT_SERVING until ready, and again when stopping.
 */
@ApplicationScoped
public class StartupModels {
  private static final Logger LOG = Logger.getLogger(StartupModels.class.getName());

  private final ModelRegistry registry;
  private final Instance<GrpcHealthStorage> grpcHealth;
  private final List<ModelSource> sources;
  private final Map<String, String> failures = new ConcurrentHashMap<>();
  private volatile boolean done;
  private volatile boolean stopping;

  public StartupModels(ModelRegistry registry, InferenceConfig config, Instance<GrpcHealthStorage> grpcHealth) {
    this.registry = registry;
    this.grpcHealth = grpcHealth;
    List<ModelSource> parsed = new ArrayList<>();
    for (String entry : config.models().orElse(List.of())) {
      if (entry.isBlank()) {
        continue;
      }
      try {
        parsed.add(ModelSource.parseEntry(entry));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("vvtq.inference.models entry '" + entry + "': " + e.getMessage(), e);
      }
    }
    this.sources = List.copyOf(parsed);
  }

  void onStart(@Observes StartupEvent event) {
    setGrpcHealth(ServingStatus.NOT_SERVING);
    Thread loader = new Thread(this::loadAll, "vvtq-startup-models");
    loader.setDaemon(true);
    loader.start();
  }

  private void loadAll() {
    for (ModelSource source : sources) {
      if (stopping) {
        break;
      }
      try {
        registry.load(source, false);
      } catch (RuntimeException e) {
        failures.put(source.name(), e.getMessage());
        LOG.severe("model '" + source.name() + "' from " + source.storeKey() + " could not be loaded: " + e.getMessage());
      }
    }
    // gRPC health first, so that whoever sees ServerReady true also sees SERVING.
    setGrpcHealth(failures.isEmpty() && !stopping ? ServingStatus.SERVING : ServingStatus.NOT_SERVING);
    done = true;
  }

  private void setGrpcHealth(ServingStatus status) {
    if (grpcHealth.isResolvable()) {
      grpcHealth.get().setStatus(GrpcHealthStorage.DEFAULT_SERVICE_NAME, status);
    }
  }

  /** Whether every configured model loaded and the server is not stopping. */
  public boolean ready() {
    return done && failures.isEmpty() && !stopping;
  }

  /** Why the server is not ready (empty when it is). */
  public String notReadyReason() {
    if (stopping) {
      return "the server is shutting down";
    }
    if (!done) {
      return "loading the configured models";
    }
    return failures.isEmpty() ? "" : "models failed to load: " + failures;
  }

  /** The configured models. */
  public List<ModelSource> sources() {
    return sources;
  }

  /**
   * Drains before the gRPC server stops (this observer runs first): stops admitting requests, lets
   * every model finish its queued ones and releases the models.
   */
  void onStop(@Observes @jakarta.annotation.Priority(Interceptor.Priority.PLATFORM_BEFORE) ShutdownEvent event) {
    stopping = true;
    setGrpcHealth(ServingStatus.NOT_SERVING);
    LOG.info("shutting down: finishing queued requests");
    registry.close();
  }
}
