package dev.vvtq.inference.registry;

import dev.vvtq.inference.batching.BatchingOptions;
import dev.vvtq.inference.batching.DynamicBatcher;
import dev.vvtq.inference.model.ModelDescription;
import dev.vvtq.inference.model.ModelRunner;
import dev.vvtq.inference.registry.ModelConflictException.Kind;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The models a server holds, by name: loading (fetch, verify, open, warm up, then ready), lookup for
 * requests, replacement (the old version serves until the new one is ready) and unloading (stop
 * admitting, finish the queued requests, release). Thread-safe.
 */
public final class ModelRegistry implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ModelRegistry.class.getName());

  private final ModelLoader loader;
  private final Function<String, BatchingOptions> batching;
  private final Duration drainTimeout;
  private final RegistryObserver observer;
  private final Map<String, Entry> entries = new ConcurrentHashMap<>();
  private final Set<String> busy = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  /** One name's state; {@code serving} is set while READY and UNLOADING. */
  private record Entry(ModelSource source, ModelState state, String reason, ModelDescription description,
      LoadedModel serving) {}

  /**
   * @param batching the batching of each model, by name
   * @param drainTimeout how long unloading (and closing) waits for queued requests to finish
   */
  public ModelRegistry(ModelLoader loader, Function<String, BatchingOptions> batching, Duration drainTimeout,
      RegistryObserver observer) {
    this.loader = loader;
    this.batching = batching;
    this.drainTimeout = drainTimeout;
    this.observer = observer;
  }

  /**
   * Loads a model and returns once it is ready.
   *
   * @param replace serve the new model in place of one already loaded under the same name
   * @throws ModelConflictException when the name is loaded (without {@code replace}) or busy
   * @throws ModelLoadException when the model cannot be loaded; the name is then registered as
   *     FAILED, unless an older version keeps serving under it
   */
  public ModelStatus load(ModelSource source, boolean replace) {
    String name = source.name();
    if (closed) {
      throw new ModelConflictException(Kind.BUSY, "the server is shutting down; no models are loaded now");
    }
    if (!busy.add(name)) {
      throw new ModelConflictException(Kind.BUSY, "model '" + name + "' is being loaded or unloaded; try again when ListModels shows it settled");
    }
    try {
      Entry existing = entries.get(name);
      boolean hasServing = existing != null && existing.serving() != null;
      if (hasServing && !replace) {
        throw new ModelConflictException(Kind.ALREADY_LOADED, "model '" + name + "' is already loaded (version "
            + existing.source().version() + " from " + existing.source().storeKey() + "); set replace to swap it");
      }
      if (!hasServing) {
        entries.put(name, new Entry(source, ModelState.LOADING, null, null, null));
      }
      LoadedModel loaded;
      try {
        loaded = openModel(source);
      } catch (ModelLoadException e) {
        if (!hasServing) {
          entries.put(name, new Entry(source, ModelState.FAILED, e.getMessage(), null, null));
        }
        LOG.log(Level.WARNING, "loading model '" + name + "' failed: " + e.getMessage());
        throw e;
      }
      if (closed) {
        // The server began stopping while this model warmed up: it must not start serving now.
        loaded.shutdown(Duration.ZERO);
        if (!hasServing) {
          entries.remove(name);
        }
        throw new ModelConflictException(Kind.BUSY, "the server is shutting down; model '" + name + "' was not started");
      }
      Entry previous = entries.put(name, new Entry(source, ModelState.READY, null, loaded.description(), loaded));
      observer.modelReady(loaded);
      LOG.info(() -> "model '" + name + "' version " + source.version() + " from " + source.storeKey() + " is ready");
      if (previous != null && previous.serving() != null) {
        retire(previous.serving());
      }
      return status(entries.get(name));
    } finally {
      busy.remove(name);
    }
  }

  private LoadedModel openModel(ModelSource source) {
    ModelLoader.Opened opened = loader.open(source);
    ModelRunner runner = opened.runner();
    ModelDescription d = runner.description();
    DynamicBatcher batcher;
    try {
      batcher = new DynamicBatcher(source.name(), runner::logits, d.imageElements(), d.numClasses(),
          batching.apply(source.name()), observer.batchListener(source.name()));
    } catch (RuntimeException e) {
      runner.close();
      throw e;
    }
    return new LoadedModel(source, opened.sha256(), runner, batcher, Instant.now());
  }

  private void retire(LoadedModel model) {
    if (!model.shutdown(drainTimeout)) {
      LOG.warning(() -> "model '" + model.name() + "' version " + model.version()
          + ": queued requests did not finish within " + drainTimeout + " and were failed");
    }
    observer.modelRetired(model);
    if (!model.source().storeKey().equals(currentKey(model.name()))) {
      loader.evict(model.source());
    }
  }

  private String currentKey(String name) {
    Entry e = entries.get(name);
    return e == null ? null : e.source().storeKey();
  }

  /**
   * Stops admitting requests for a model, finishes its queued ones and releases it; a FAILED entry is
   * just removed.
   *
   * @return the model's status when unloading began
   * @throws ModelNotFoundException when no model has that name
   * @throws ModelConflictException when it is being loaded or unloaded
   */
  public ModelStatus unload(String name) {
    if (!busy.add(name)) {
      throw new ModelConflictException(Kind.BUSY, "model '" + name + "' is being loaded or unloaded; try again when ListModels shows it settled");
    }
    try {
      Entry entry = entries.get(name);
      if (entry == null) {
        throw notFound(name);
      }
      if (entry.serving() == null) {
        entries.remove(name, entry);
        return status(entry);
      }
      Entry unloading = new Entry(entry.source(), ModelState.UNLOADING, null, entry.description(), entry.serving());
      entries.put(name, unloading);
      ModelStatus status = status(unloading);
      entries.remove(name, unloading);
      retire(entry.serving());
      LOG.info(() -> "model '" + name + "' unloaded");
      return status;
    } finally {
      busy.remove(name);
    }
  }

  /**
   * The ready model a request should use.
   *
   * @param version empty for the loaded version, else it must match
   * @throws ModelNotFoundException unknown name or version
   * @throws ModelNotReadyException loading, unloading or failed
   */
  public LoadedModel require(String name, String version) {
    Entry entry = entries.get(name);
    if (entry == null) {
      throw notFound(name);
    }
    if (version != null && !version.isEmpty() && !version.equals(entry.source().version())) {
      throw new ModelNotFoundException("model '" + name + "' has no version '" + version + "'; version '"
          + entry.source().version() + "' is loaded");
    }
    if (entry.state() != ModelState.READY) {
      throw new ModelNotReadyException("model '" + name + "' is " + entry.state()
          + (entry.reason() != null ? ": " + entry.reason() : "") + "; it accepts no requests now");
    }
    return entry.serving();
  }

  private ModelNotFoundException notFound(String name) {
    Set<String> known = new TreeSet<>(entries.keySet());
    return new ModelNotFoundException("unknown model '" + name + "'; "
        + (known.isEmpty() ? "no models are loaded" : "models: " + String.join(", ", known)));
  }

  /** The status of one model; {@link ModelNotFoundException} listing the known names when absent. */
  public ModelStatus get(String name) {
    Entry e = entries.get(name);
    if (e == null) {
      throw notFound(name);
    }
    return status(e);
  }

  /** The status of one model, if registered. */
  public java.util.Optional<ModelStatus> find(String name) {
    Entry e = entries.get(name);
    return e == null ? java.util.Optional.empty() : java.util.Optional.of(status(e));
  }

  /** Every registered model, by name. */
  public List<ModelStatus> list() {
    List<ModelStatus> out = new ArrayList<>();
    for (Entry e : entries.values()) {
      out.add(status(e));
    }
    out.sort(Comparator.comparing(ModelStatus::name));
    return out;
  }

  private ModelStatus status(Entry e) {
    LoadedModel m = e.serving();
    return new ModelStatus(e.source().name(), e.source().version(), e.source().storeKey(), e.state(), e.reason(),
        e.description(), m == null ? null : m.sha256(), m == null ? null : m.readySince(),
        m == null ? 0 : m.batcher().queueDepth(),
        m == null ? batching.apply(e.source().name()).queueCapacity() : m.batcher().options().queueCapacity(),
        m == null ? null : m.backend());
  }

  /**
   * Stops admission to every model, lets each finish its queued requests (within the drain timeout)
   * and releases them. Loads that finish afterwards are refused.
   */
  @Override
  public void close() {
    closed = true;
    for (String name : new ArrayList<>(entries.keySet())) {
      Entry e = entries.get(name);
      if (e != null && e.serving() != null) {
        entries.put(name, new Entry(e.source(), ModelState.UNLOADING, null, e.description(), e.serving()));
      }
    }
    for (Entry e : new ArrayList<>(entries.values())) {
      if (e.serving() != null) {
        retire(e.serving());
      }
      entries.remove(e.source().name(), e);
    }
  }
}
