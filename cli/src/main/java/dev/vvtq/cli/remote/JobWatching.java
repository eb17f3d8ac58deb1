package dev.vvtq.cli.remote;

import dev.vvtq.proto.v1.JobEvent;
import dev.vvtq.proto.v1.JobState;
import dev.vvtq.proto.v1.TrainerGrpc;
import dev.vvtq.proto.v1.WatchJobRequest;
import io.grpc.Channel;
import java.io.PrintWriter;
import java.util.Iterator;

/** Follows a job's event stream to its end, printing a line per event. */
final class JobWatching {
  /** Exit codes: 0 succeeded, 1 failed, 130 cancelled (as a Ctrl-C'd local run), 3 stream ended early. */
  static int watch(Channel channel, String jobId, PrintWriter out) {
    Iterator<JobEvent> events = TrainerGrpc.newBlockingStub(channel).watchJob(WatchJobRequest.newBuilder().setId(jobId).build());
    JobState last = JobState.JOB_STATE_UNSPECIFIED;
    while (events.hasNext()) {
      JobEvent e = events.next();
      out.println(jobId + ": " + Printing.event(e));
      if (e.hasStateChange()) {
        last = e.getStateChange();
      }
    }
    return switch (last) {
      case JOB_STATE_SUCCEEDED -> 0;
      case JOB_STATE_FAILED -> 1;
      case JOB_STATE_CANCELLED -> 130;
      default -> 3;
    };
  }

  private JobWatching() {}
}
