package dev.vvtq.trainer.jobs;

import dev.vvtq.proto.v1.JobKind;
import dev.vvtq.proto.v1.JobState;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The job queue: {@code concurrency} worker threads take queued jobs in submission order. At most
 * one training job runs at a time whatever the concurrency (DJL allows one gradient collector per
 * process); a later label job may overtake a training job that waits for that reason.
 */
final class JobScheduler implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(JobScheduler.class.getName());

  private final Map<JobKind, JobRunner> runners;
  private final JobMetrics metrics;
  private final List<Job> queued = new ArrayList<>();
  private final List<Thread> workers = new ArrayList<>();
  private boolean trainingRunning;
  private boolean closed;

  JobScheduler(int concurrency, Map<JobKind, JobRunner> runners, JobMetrics metrics) {
    if (concurrency < 1) {
      throw new IllegalArgumentException("concurrency must be >= 1, got " + concurrency);
    }
    this.runners = Map.copyOf(runners);
    this.metrics = metrics;
    for (int i = 0; i < concurrency; i++) {
      Thread t = new Thread(this::work, "vvtq-job-worker-" + (i + 1));
      t.setDaemon(true);
      workers.add(t);
      t.start();
    }
  }

  synchronized void enqueue(Job job) {
    if (closed) {
      throw new IllegalStateException("the job queue is shut down");
    }
    queued.add(job);
    notifyAll();
  }

  /** Drops a job that was cancelled while queued. */
  synchronized void remove(Job job) {
    queued.remove(job);
  }

  synchronized int queuedCount() {
    return queued.size();
  }

  private synchronized Job take() throws InterruptedException {
    while (true) {
      if (closed) {
        return null;
      }
      for (Iterator<Job> it = queued.iterator(); it.hasNext(); ) {
        Job j = it.next();
        if (j.kind() == JobKind.JOB_KIND_TRAIN && trainingRunning) {
          continue;
        }
        it.remove();
        if (j.kind() == JobKind.JOB_KIND_TRAIN) {
          trainingRunning = true;
        }
        return j;
      }
      wait();
    }
  }

  private synchronized void done(Job job) {
    if (job.kind() == JobKind.JOB_KIND_TRAIN) {
      trainingRunning = false;
    }
    notifyAll();
  }

  private void work() {
    while (true) {
      Job job;
      try {
        job = take();
      } catch (InterruptedException e) {
        return;
      }
      if (job == null) {
        return;
      }
      try {
        runOne(job);
      } finally {
        done(job);
      }
    }
  }

  private void runOne(Job job) {
    if (!job.start()) {
      return;
    }
    LOG.info(() -> "job " + job.id() + " started");
    JobOutcome outcome;
    try {
      outcome = runners.get(job.kind()).run(job);
    } catch (Exception | Error e) {
      LOG.log(Level.WARNING, "job " + job.id() + " failed", e);
      String why = e.getMessage() == null ? e.toString() : e.getMessage();
      outcome = new JobOutcome(JobState.JOB_STATE_FAILED, why, null);
    }
    if (outcome.state() == JobState.JOB_STATE_SUCCEEDED && job.cancelRequested()) {
      outcome = new JobOutcome(outcome.state(), outcome.message() + " (finished before the cancel took effect)", outcome.result());
    }
    job.finish(outcome.state(), outcome.message(), outcome.result());
    metrics.finished(job.kind(), outcome.state());
    JobOutcome o = outcome;
    LOG.info(() -> "job " + job.id() + " " + JobStates.label(o.state()) + ": " + o.message());
  }

  /** Stops taking jobs; a running job is asked to stop by its own cancel flag (see the manager). */
  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      notifyAll();
    }
  }

  List<Thread> workers() {
    return workers;
  }
}
