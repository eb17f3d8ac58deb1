package dev.vvtq.inference.registry;

/** Where a model is in its life in the registry. */
public enum ModelState {
  /** Being fetched, verified, opened or warmed up. */
  LOADING,
  /** Warmed up and accepting requests. */
  READY,
  /** No longer accepting requests; finishing the queued ones. */
  UNLOADING,
  /** Loading failed; the status's reason says why. */
  FAILED
}
