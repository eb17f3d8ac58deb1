package dev.vvtq.trainer.jobs;

import com.google.protobuf.Timestamp;
import dev.vvtq.proto.v1.EpochSummary;
import dev.vvtq.proto.v1.JobEvent;
import dev.vvtq.proto.v1.JobKind;
import dev.vvtq.proto.v1.JobResult;
import dev.vvtq.proto.v1.JobState;
import dev.vvtq.proto.v1.LabelSpec;
import dev.vvtq.proto.v1.Progress;
import dev.vvtq.proto.v1.TrainSpec;
import io.grpc.stub.StreamObserver;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A job known to this process: its spec, state, latest progress and result, and the watchers its
 * events go to. Every change goes through the job's monitor, so a watcher sees the current state
 * first and then every later event, in order.
 */
public final class Job {
  private final String id;
  private final JobKind kind;
  private final TrainSpec trainSpec;
  private final LabelSpec labelSpec;
  private final String output;
  private final Instant submitted;
  private final AtomicBoolean cancelRequested = new AtomicBoolean();
  private final AtomicBoolean shutdownRequested = new AtomicBoolean();
  private final List<JobWatcher> watchers = new ArrayList<>();
  private JobState state = JobState.JOB_STATE_QUEUED;
  private Instant started;
  private Instant finished;
  private Progress progress;
  private JobResult result;
  private String message = "";

  private Job(String id, JobKind kind, TrainSpec trainSpec, LabelSpec labelSpec, String output, Instant submitted) {
    this.id = id;
    this.kind = kind;
    this.trainSpec = trainSpec;
    this.labelSpec = labelSpec;
    this.output = output;
    this.submitted = submitted;
  }

  /** A queued training job; {@code spec} is the request's, with the run id filled in. */
  public static Job train(String id, TrainSpec spec, Instant submitted) {
    return new Job(id, JobKind.JOB_KIND_TRAIN, spec, null, id, submitted);
  }

  /** A queued labelling job writing {@code softlabels/<out_name>}. */
  public static Job label(String id, LabelSpec spec, Instant submitted) {
    return new Job(id, JobKind.JOB_KIND_LABEL, null, spec, LabelJobs.prefix(spec), submitted);
  }

  public String id() {
    return id;
  }

  public JobKind kind() {
    return kind;
  }

  public TrainSpec trainSpec() {
    return trainSpec;
  }

  public LabelSpec labelSpec() {
    return labelSpec;
  }

  public synchronized JobState state() {
    return state;
  }

  public synchronized boolean terminal() {
    return JobStates.terminal(state);
  }

  /** Polled by the running job after every step: a cancel, or the service stopping. */
  public boolean cancelRequested() {
    return cancelRequested.get() || shutdownRequested.get();
  }

  /** Asks a running job to checkpoint and stop because the service stops; it resumes at the next start. */
  void requestShutdownStop() {
    shutdownRequested.set(true);
  }

  /** Whether the job stopped (or is stopping) because the service stops, not because a user cancelled it. */
  boolean stoppedForShutdown() {
    return shutdownRequested.get() && !cancelRequested.get();
  }

  /** The job as the API shows it. */
  public synchronized dev.vvtq.proto.v1.Job snapshot() {
    dev.vvtq.proto.v1.Job.Builder b = dev.vvtq.proto.v1.Job.newBuilder()
        .setId(id).setKind(kind).setState(state).setSubmitted(timestamp(submitted)).setMessage(message).setOutput(output);
    if (trainSpec != null) {
      b.setTrain(trainSpec);
    } else {
      b.setLabel(labelSpec);
    }
    if (started != null) {
      b.setStarted(timestamp(started));
    }
    if (finished != null) {
      b.setFinished(timestamp(finished));
    }
    if (progress != null) {
      b.setProgress(progress);
    }
    if (result != null) {
      b.setResult(result);
    }
    return b.build();
  }

  /** QUEUED to RUNNING; false when the job was cancelled while queued. */
  synchronized boolean start() {
    if (state != JobState.JOB_STATE_QUEUED) {
      return false;
    }
    started = Instant.now();
    changeState(JobState.JOB_STATE_RUNNING, "");
    return true;
  }

  /**
   * Asks the job to stop: a queued job is cancelled at once, a running one is marked CANCELLING and
   * stops at its next step.
   *
   * @return the state before the request
   */
  synchronized JobState requestCancel() {
    JobState before = state;
    cancelRequested.set(true);
    if (state == JobState.JOB_STATE_QUEUED) {
      finish(JobState.JOB_STATE_CANCELLED, "cancelled before it started", null);
    } else if (state == JobState.JOB_STATE_RUNNING) {
      changeState(JobState.JOB_STATE_CANCELLING, "cancel requested; stopping after the next step");
    }
    return before;
  }

  /** The latest progress; sent to watchers only when {@code publish}. */
  synchronized void progress(Progress p, boolean publish) {
    progress = p;
    if (publish) {
      send(event().setProgress(p).build());
    }
  }

  synchronized void epochEnded(EpochSummary summary) {
    send(event().setEpochEnd(summary).build());
  }

  /** Ends the job: the result (when it succeeded) or the reason, then the terminal state; closes every watch. */
  synchronized void finish(JobState terminal, String why, JobResult r) {
    finished = Instant.now();
    result = r;
    message = why == null ? "" : why;
    if (r != null) {
      send(event().setResult(r).build());
    }
    if (!message.isEmpty() && r == null) {
      send(event().setMessage(message).build());
    }
    changeState(terminal, message);
    for (JobWatcher w : watchers) {
      w.complete();
    }
    watchers.clear();
  }

  /**
   * Adds a watcher: it gets the current state (and latest progress) now, then every event until the
   * job ends. A watcher of a finished job gets the state and the outcome, and its stream ends.
   */
  synchronized void watch(JobWatcher watcher) {
    watcher.send(event().setStateChange(state).build());
    if (progress != null) {
      watcher.send(event().setProgress(progress).build());
    }
    if (JobStates.terminal(state)) {
      if (result != null) {
        watcher.send(event().setResult(result).build());
      } else if (!message.isEmpty()) {
        watcher.send(event().setMessage(message).build());
      }
      watcher.complete();
      return;
    }
    watchers.add(watcher);
    watcher.onDetach(() -> detach(watcher));
  }

  private synchronized void detach(JobWatcher watcher) {
    watchers.remove(watcher);
  }

  private void changeState(JobState s, String why) {
    state = s;
    message = why;
    send(event().setStateChange(s).build());
  }

  private void send(JobEvent e) {
    watchers.removeIf(w -> !w.send(e));
  }

  private JobEvent.Builder event() {
    return JobEvent.newBuilder().setJobId(id).setTime(timestamp(Instant.now()));
  }

  static Timestamp timestamp(Instant t) {
    return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
  }

  /** Where events of one job go: one WatchJob stream. */
  public interface JobWatcher {
    /** Sends an event; false when the stream is gone (the watcher is then dropped). */
    boolean send(JobEvent event);

    /** Ends the stream after the terminal event. */
    void complete();

    /** Registers what to do when the client goes away. */
    void onDetach(Runnable action);

    /** A watcher writing to a gRPC server stream. */
    static JobWatcher of(StreamObserver<JobEvent> out) {
      return new StreamWatcher(out);
    }
  }
}
