package dev.vvtq.trainer.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vvtq.proto.v1.JobKind;
import dev.vvtq.proto.v1.JobResult;
import dev.vvtq.proto.v1.JobState;
import dev.vvtq.proto.v1.LabelSpec;
import dev.vvtq.proto.v1.TrainSpec;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The queue's rules: submission order, one training job at a time, label jobs beside it when concurrency allows. */
class JobSchedulerTest {
  /** Records how many jobs of each kind run at once; each job takes a little while. */
  private static final class Recorder implements JobRunner {
    final AtomicInteger training = new AtomicInteger();
    final AtomicInteger maxTraining = new AtomicInteger();
    final AtomicInteger labelBesideTraining = new AtomicInteger();
    final ConcurrentLinkedQueue<String> started = new ConcurrentLinkedQueue<>();

    @Override
    public JobOutcome run(Job job) throws Exception {
      started.add(job.id());
      if (job.kind() == JobKind.JOB_KIND_TRAIN) {
        maxTraining.accumulateAndGet(training.incrementAndGet(), Math::max);
        Thread.sleep(150);
        training.decrementAndGet();
      } else {
        Thread.sleep(20);
        if (training.get() > 0) {
          labelBesideTraining.incrementAndGet();
        }
      }
      return JobOutcome.succeeded("done", JobResult.getDefaultInstance());
    }
  }

  @Test
  void trainingJobsNeverOverlapAndLabelJobsMayRunBesideThem() throws Exception {
    Recorder r = new Recorder();
    JobScheduler s = new JobScheduler(2, Map.of(JobKind.JOB_KIND_TRAIN, r, JobKind.JOB_KIND_LABEL, r), JobMetrics.NONE);
    try {
      List<Job> jobs = List.of(
          Job.train("t1", TrainSpec.getDefaultInstance(), Instant.now()),
          Job.train("t2", TrainSpec.getDefaultInstance(), Instant.now()),
          Job.label("l1", LabelSpec.newBuilder().setOutName("l1").build(), Instant.now()));
      jobs.forEach(s::enqueue);
      for (Job j : jobs) {
        awaitEnd(j);
        assertEquals(JobState.JOB_STATE_SUCCEEDED, j.state());
      }
      assertEquals(1, r.maxTraining.get(), "two training jobs ran at once");
      assertEquals(1, r.labelBesideTraining.get(), "the label job overtook the waiting training job");
    } finally {
      s.close();
    }
  }

  @Test
  void jobsStartInSubmissionOrderAndOneCancelledWhileQueuedNeverStarts() throws Exception {
    Recorder r = new Recorder();
    JobScheduler s = new JobScheduler(1, Map.of(JobKind.JOB_KIND_TRAIN, r), JobMetrics.NONE);
    try {
      Job first = Job.train("first", TrainSpec.getDefaultInstance(), Instant.now());
      Job second = Job.train("second", TrainSpec.getDefaultInstance(), Instant.now());
      Job third = Job.train("third", TrainSpec.getDefaultInstance(), Instant.now());
      s.enqueue(first);
      s.enqueue(second);
      s.enqueue(third);
      assertEquals(JobState.JOB_STATE_QUEUED, second.requestCancel());
      s.remove(second);
      awaitEnd(third);
      assertEquals(JobState.JOB_STATE_CANCELLED, second.state());
      assertEquals(List.of("first", "third"), List.copyOf(r.started));
    } finally {
      s.close();
    }
  }

  private static void awaitEnd(Job j) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!j.terminal()) {
      assertTrue(System.nanoTime() < until, j.id() + " did not end");
      Thread.sleep(5);
    }
  }
}
