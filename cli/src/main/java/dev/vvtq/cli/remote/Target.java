package dev.vvtq.cli.remote;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.util.concurrent.TimeUnit;

/** A {@code host:port} of a service and a plaintext channel to it. */
final class Target implements AutoCloseable {
  private final ManagedChannel channel;

  private Target(ManagedChannel channel) {
    this.channel = channel;
  }

  /** Opens a channel to {@code host:port}; IPv6 hosts in brackets, e.g. {@code [::1]:9001}. */
  static Target open(String target) {
    int colon = target.lastIndexOf(':');
    if (colon <= 0 || colon == target.length() - 1) {
      throw new IllegalArgumentException("--target: host:port expected, got '" + target + "'");
    }
    String host = target.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(target.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--target: bad port in '" + target + "'", e);
    }
    // Evaluation results with confusion matrices and encoded images can exceed the 4 MiB default.
    return new Target(ManagedChannelBuilder.forAddress(host, port).usePlaintext().maxInboundMessageSize(64 << 20).build());
  }

  ManagedChannel channel() {
    return channel;
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }
}
