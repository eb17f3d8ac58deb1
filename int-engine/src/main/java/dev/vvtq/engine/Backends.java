package dev.vvtq.engine;

import dev.vvtq.engine.model.ExportedModel;
import dev.vvtq.engine.onednn.OneDnnKernels;

/**
 * Opens the backend that {@link EngineOptions#backend()} names. {@code auto} takes oneDNN where its
 * natives load and falls back to java with one log line; {@code onednn} asked for by name fails with
 * {@link BackendUnavailableException} instead.
 */
final class Backends {
  private static final System.Logger LOG = System.getLogger("dev.vvtq.engine");

  private Backends() {}

  static InferenceBackend open(ExportedModel model, EngineOptions options) {
    InferenceBackend b = switch (options.backend()) {
      case JAVA -> java(model, options);
      case ONEDNN -> oneDnn(model, options);
      case AUTO -> {
        try {
          yield oneDnn(model, options);
        } catch (BackendUnavailableException e) {
          LOG.log(System.Logger.Level.WARNING, "int-engine backend auto: onednn did not load (" + e.getCause()
              + "), using java");
          yield java(model, options);
        }
      }
    };
    LOG.log(System.Logger.Level.INFO, "int-engine backend " + b.name() + " (" + b.detail() + ", "
        + options.threads() + " threads, " + options.parallelCalls() + " concurrent passes)");
    return b;
  }

  private static InferenceBackend java(ExportedModel model, EngineOptions options) {
    return new KernelBackend("java", model, options, options.kernels().get());
  }

  private static InferenceBackend oneDnn(ExportedModel model, EngineOptions options) {
    OneDnnKernels kernels;
    try {
      kernels = OneDnnKernels.open();
    } catch (LinkageError | IllegalStateException e) {
      // LinkageError: the natives (or the org.bytedeco classes) are missing or do not load here
      throw new BackendUnavailableException("backend onednn is unavailable: its natives (org.bytedeco:dnnl,"
          + " linux-x86_64) did not load (" + e + "); use backend java or auto", e);
    }
    try {
      return new KernelBackend("onednn", model, options, kernels);
    } catch (RuntimeException | Error e) {
      kernels.close();
      throw e;
    }
  }
}
