package dev.vvtq.trainer.testing;

import dev.vvtq.proto.v1.Job;
import dev.vvtq.proto.v1.JobEvent;
import dev.vvtq.proto.v1.SubmitTrainJobRequest;
import dev.vvtq.proto.v1.TrainSpec;
import dev.vvtq.proto.v1.TrainerGrpc;
import dev.vvtq.proto.v1.WatchJobRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A plaintext channel to the service under test, as an external client has, and helpers over it. */
public final class TrainerClient implements AutoCloseable {
  private final ManagedChannel channel;

  public TrainerClient(int port) {
    channel = ManagedChannelBuilder.forAddress("localhost", port).usePlaintext().build();
  }

  public ManagedChannel channel() {
    return channel;
  }

  public TrainerGrpc.TrainerBlockingStub stub() {
    return TrainerGrpc.newBlockingStub(channel).withDeadlineAfter(120, TimeUnit.SECONDS);
  }

  /** A small, valid spec on the tiny dataset: float deit_pico_patch4_16, batch 8. */
  public static TrainSpec.Builder tinySpec(String data, int epochs) {
    return TrainSpec.newBuilder()
        .setModel("deit_pico_patch4_16")
        .setData(data)
        .setEpochs(epochs)
        .setBatchSize(8)
        .setLr(2e-3)
        .setMinLr(1e-5)
        .setWarmupEpochs(0)
        .setSeed(7)
        .setThreads(1);
  }

  public Job submit(TrainSpec spec) {
    return stub().submitTrainJob(SubmitTrainJobRequest.newBuilder().setSpec(spec).build());
  }

  /** Every event of a job's watch stream until the stream ends. */
  public List<JobEvent> watchToEnd(String id) {
    List<JobEvent> events = new ArrayList<>();
    Iterator<JobEvent> it = TrainerGrpc.newBlockingStub(channel).withDeadlineAfter(300, TimeUnit.SECONDS)
        .watchJob(WatchJobRequest.newBuilder().setId(id).build());
    it.forEachRemaining(events::add);
    return events;
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }
}
