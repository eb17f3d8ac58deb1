package dev.vvtq.inference.grpc;

import io.grpc.Status;

/** Records each finished request by model, method and status code. */
public interface RequestMetrics {
  /**
   * @param model the model's name, or null when the request named no registered model
   * @param method the RPC's name, e.g. {@code ModelInfer}
   */
  void requestFinished(String model, String method, Status.Code code, long nanos);
}
