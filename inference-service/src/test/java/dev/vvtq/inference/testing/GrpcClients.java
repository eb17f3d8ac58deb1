package dev.vvtq.inference.testing;

import dev.vvtq.proto.inference.GRPCInferenceServiceGrpc;
import dev.vvtq.proto.inference.ServerReadyRequest;
import dev.vvtq.proto.v1.ClassifierGrpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.util.concurrent.TimeUnit;

/** A plaintext channel to the service under test and blocking stubs, as an external client has. */
public final class GrpcClients implements AutoCloseable {
  private final ManagedChannel channel;

  public GrpcClients(int port) {
    channel = ManagedChannelBuilder.forAddress("localhost", port).usePlaintext().maxInboundMessageSize(64 << 20).build();
  }

  public ManagedChannel channel() {
    return channel;
  }

  public GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub inference() {
    return GRPCInferenceServiceGrpc.newBlockingStub(channel);
  }

  public ClassifierGrpc.ClassifierBlockingStub classifier() {
    return ClassifierGrpc.newBlockingStub(channel);
  }

  public ClassifierGrpc.ClassifierStub classifierAsync() {
    return ClassifierGrpc.newStub(channel);
  }

  /** Waits until the server reports ready (configured models loaded), at most 30 s. */
  public void awaitServerReady() throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < until) {
      if (inference().serverReady(ServerReadyRequest.getDefaultInstance()).getReady()) {
        return;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("server not ready after 30 s");
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }
}
