package dev.vvtq.inference.registry;

import dev.vvtq.inference.batching.BatchListener;

/** Told of models entering and leaving service, for metrics. */
public interface RegistryObserver {
  /** The listener for the batcher of a model about to become ready. */
  BatchListener batchListener(String modelName);

  /** The model accepts requests from now on. */
  void modelReady(LoadedModel model);

  /** The model no longer serves (unloaded or replaced) and its batcher has stopped. */
  void modelRetired(LoadedModel model);

  /** An observer that ignores everything. */
  RegistryObserver NONE = new RegistryObserver() {
    @Override
    public BatchListener batchListener(String modelName) {
      return BatchListener.NONE;
    }

    @Override
    public void modelReady(LoadedModel model) {}

    @Override
    public void modelRetired(LoadedModel model) {}
  };
}
