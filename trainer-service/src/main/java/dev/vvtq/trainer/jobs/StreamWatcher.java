package dev.vvtq.trainer.jobs;

import dev.vvtq.proto.v1.JobEvent;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

/** A {@link Job.JobWatcher} over a WatchJob response stream. */
final class StreamWatcher implements Job.JobWatcher {
  private final StreamObserver<JobEvent> out;
  private volatile boolean gone;

  StreamWatcher(StreamObserver<JobEvent> out) {
    this.out = out;
  }

  @Override
  public boolean send(JobEvent event) {
    if (gone) {
      return false;
    }
    try {
      out.onNext(event);
      return true;
    } catch (RuntimeException e) {
      // The call was cancelled or the transport closed under us: nobody is listening any more.
      gone = true;
      return false;
    }
  }

  @Override
  public void complete() {
    if (!gone) {
      gone = true;
      try {
        out.onCompleted();
      } catch (RuntimeException ignored) {
        // Already closed by the client.
      }
    }
  }

  @Override
  public void onDetach(Runnable action) {
    if (out instanceof ServerCallStreamObserver<JobEvent> call) {
      call.setOnCancelHandler(() -> {
        gone = true;
        action.run();
      });
    }
  }
}
