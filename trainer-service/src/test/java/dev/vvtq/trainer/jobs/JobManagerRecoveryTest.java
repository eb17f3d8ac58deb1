package dev.vvtq.trainer.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vvtq.artifacts.store.ArtifactStore;
import dev.vvtq.artifacts.store.LocalFolderStore;
import dev.vvtq.proto.v1.JobState;
import dev.vvtq.qat.testing.TinyImageFolder;
import dev.vvtq.qat.train.RunRecord;
import dev.vvtq.qat.train.RunStatus;
import dev.vvtq.trainer.testing.TrainerClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A restarted service lists past jobs and resumes interrupted ones from their records in the store. */
class JobManagerRecoveryTest {
  @TempDir static Path dir;
  static Path data;

  @BeforeAll
  static void makeData() throws Exception {
    data = TinyImageFolder.write(dir.resolve("data"), 3, 16, 6);
  }

  private static JobManager manager(ArtifactStore store, Path root) {
    return new JobManager(store, root.toString(), dir.resolve("work"), 1, Duration.ZERO, JobMetrics.NONE);
  }

  @Test
  void shutdownCheckpointsAndTheNextProcessResumesAndRestartsInterruptedJobs() throws Exception {
    Path root = dir.resolve("store-a");
    try (ArtifactStore store = new LocalFolderStore(root)) {
      JobManager first = manager(store, root);
      first.submitTrain(TrainerClient.tinySpec(data.toString(), 3).setRunId("interrupted").build());
      awaitStep(first, "interrupted");
      first.shutdown(Duration.ofSeconds(60));
      RunRecord left = RunRecord.load(store, "interrupted").orElseThrow();
      assertEquals(RunStatus.QUEUED, left.status(), left.message());
      assertTrue(store.exists("runs/interrupted/checkpoints/latest.json"), "the shutdown wrote a checkpoint");

      // A process that died before the first checkpoint leaves a RUNNING record and nothing else.
      dev.vvtq.qat.train.TrainSpec crashed = TrainSpecs.toLibrary(
          TrainerClient.tinySpec(data.toString(), 1).build(), root.toString(), "crashed");
      RunRecord.create("crashed", "train", RunStatus.RUNNING, crashed, 1).save(store);

      JobManager second = manager(store, root);
      try {
        second.recover(true);
        assertEquals(JobState.JOB_STATE_SUCCEEDED, awaitEnd(second, "interrupted"));
        assertEquals(JobState.JOB_STATE_SUCCEEDED, awaitEnd(second, "crashed"));
        RunRecord resumed = RunRecord.load(store, "interrupted").orElseThrow();
        assertEquals(RunStatus.SUCCEEDED, resumed.status());
        assertEquals(3, resumed.epochsDone(), "the resumed run finished the epochs of the original spec");
        assertEquals(3, resumed.history().size(), "the history of the first process is kept");
        assertEquals(RunStatus.SUCCEEDED, RunRecord.load(store, "crashed").orElseThrow().status());
      } finally {
        second.shutdown(Duration.ofSeconds(60));
      }
    }
  }

  @Test
  void withoutResumeInterruptedJobsAreMarkedFailed() throws Exception {
    Path root = dir.resolve("store-b");
    try (ArtifactStore store = new LocalFolderStore(root)) {
      dev.vvtq.qat.train.TrainSpec spec = TrainSpecs.toLibrary(
          TrainerClient.tinySpec(data.toString(), 1).build(), root.toString(), "left");
      RunRecord.create("left", "train", RunStatus.RUNNING, spec, 1).save(store);
      JobManager m = manager(store, root);
      try {
        m.recover(false);
        assertEquals(JobState.JOB_STATE_FAILED, m.get("left").getState());
        assertTrue(m.get("left").getMessage().contains("restart"), m.get("left").getMessage());
      } finally {
        m.shutdown(Duration.ofSeconds(10));
      }
    }
  }

  private static void awaitStep(JobManager m, String id) throws Exception {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (m.get(id).getProgress().getStep() < 1) {
      assertTrue(System.nanoTime() < until, "no step of " + id + " within 120 s");
      Thread.sleep(20);
    }
  }

  private static JobState awaitEnd(JobManager m, String id) throws Exception {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    while (!JobStates.terminal(m.get(id).getState())) {
      assertTrue(System.nanoTime() < until, "job " + id + " did not end within 180 s");
      Thread.sleep(50);
    }
    return m.get(id).getState();
  }
}
