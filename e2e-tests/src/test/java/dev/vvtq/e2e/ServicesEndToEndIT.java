package dev.vvtq.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.vvtq.cli.Main;
import dev.vvtq.proto.v1.ArtifactRef;
import dev.vvtq.proto.v1.ClassScore;
import dev.vvtq.proto.v1.ClassifierGrpc;
import dev.vvtq.proto.v1.ClassifyRequest;
import dev.vvtq.proto.v1.ClassifyResponse;
import dev.vvtq.proto.v1.EvalEngine;
import dev.vvtq.proto.v1.EvaluateEvent;
import dev.vvtq.proto.v1.EvaluateRequest;
import dev.vvtq.proto.v1.Evaluation;
import dev.vvtq.proto.v1.EvaluationState;
import dev.vvtq.proto.v1.EvaluatorGrpc;
import dev.vvtq.proto.v1.GetEvaluationRequest;
import dev.vvtq.proto.v1.GetJobRequest;
import dev.vvtq.proto.v1.Job;
import dev.vvtq.proto.v1.JobEvent;
import dev.vvtq.proto.v1.JobState;
import dev.vvtq.proto.v1.LabelSpec;
import dev.vvtq.proto.v1.LoadModelRequest;
import dev.vvtq.proto.v1.ModelState;
import dev.vvtq.proto.v1.ModelStatus;
import dev.vvtq.proto.v1.SubmitLabelJobRequest;
import dev.vvtq.proto.v1.SubmitTrainJobRequest;
import dev.vvtq.proto.v1.TrainSpec;
import dev.vvtq.proto.v1.TrainerGrpc;
import dev.vvtq.proto.v1.WatchJobRequest;
import dev.vvtq.qat.testing.TinyImageFolder;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The three packaged services end to end: a float teacher, its soft labels, W4A4 QAT with KD, the
 * regulariser and --finetune, evaluation of the best checkpoint (DJL) and of its export (int-engine),
 * and classification of a validation image by the inference service, all over gRPC; once with the
 * artifact store in a local folder, once in S3. And a trainer restart that resumes a job.
 */
class ServicesEndToEndIT {
  private static final Path TRAINER_JAR = Path.of(System.getProperty("vvtq.e2e.trainer-jar"));
  private static final Path EVAL_JAR = Path.of(System.getProperty("vvtq.e2e.eval-jar"));
  private static final Path INFERENCE_JAR = Path.of(System.getProperty("vvtq.e2e.inference-jar"));
  private static final Path LOGS = Path.of(System.getProperty("vvtq.e2e.logs"));

  @TempDir static Path dir;
  static Path data;

  @BeforeAll
  static void makeData() throws Exception {
    data = TinyImageFolder.write(dir.resolve("data"), 3, 16, 6);
  }

  @Test
  void localFolderStore() throws Exception {
    String store = dir.resolve("store").toString();
    runPipeline("local", Map.of("store.location", store));
    assertTrue(Files.isRegularFile(Path.of(store, "models/tiny-w4a4/1/manifest.json")), "the model is in the folder");
    assertTrue(Files.isRegularFile(Path.of(store, "runs/w4a4/run.json")));
  }

  @Test
  void s3Store() throws Exception {
    try (S3Server s3 = new S3Server()) {
      s3.createBucket("vvtq-e2e");
      Map<String, String> store = new LinkedHashMap<>();
      store.put("store.location", "s3://vvtq-e2e/artifacts");
      store.put("store.s3.endpoint", s3.endpoint());
      store.put("store.s3.region", "us-east-1");
      store.put("store.s3.path-style", "true");
      store.put("store.s3.access-key", S3Server.ACCESS_KEY);
      store.put("store.s3.secret-key", S3Server.SECRET_KEY);
      runPipeline("s3", store);
    }
  }

  /** SIGTERM checkpoints a running job and leaves it queued; the restarted service resumes it from there. */
  @Test
  void restartedTrainerResumesTheInterruptedJob() throws Exception {
    Path store = dir.resolve("restart-store");
    Map<String, String> config = Map.of("vvtq.trainer.store.location", store.toString(),
        "vvtq.trainer.work-dir", dir.resolve("restart-work").toString());
    try (ServiceProcess trainer = ServiceProcess.start("trainer-service", TRAINER_JAR, config, LOGS.resolve("restart"))) {
      ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", trainer.grpcPort).usePlaintext().build();
      try {
        TrainerGrpc.newBlockingStub(channel).submitTrainJob(SubmitTrainJobRequest.newBuilder()
            .setSpec(tiny(40).setRunId("long")).build());
        Iterator<JobEvent> events = TrainerGrpc.newBlockingStub(channel).withDeadlineAfter(2, TimeUnit.MINUTES)
            .watchJob(WatchJobRequest.newBuilder().setId("long").build());
        while (!events.next().hasProgress()) {
          // Until the first step.
        }
      } finally {
        channel.shutdownNow();
      }
    }
    String record = Files.readString(store.resolve("runs/long/run.json"));
    assertTrue(record.contains("\"QUEUED\"") && record.contains("shutdown"), record);
    Matcher step = Pattern.compile("\"step\"\\s*:\\s*(\\d+)")
        .matcher(Files.readString(store.resolve("runs/long/checkpoints/latest.json")));
    assertTrue(step.find(), "the shutdown wrote a checkpoint");
    long checkpointed = Long.parseLong(step.group(1));

    try (ServiceProcess trainer = ServiceProcess.start("trainer-service", TRAINER_JAR, config, LOGS.resolve("restart-2"))) {
      ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", trainer.grpcPort).usePlaintext().build();
      try {
        Iterator<JobEvent> events = TrainerGrpc.newBlockingStub(channel).withDeadlineAfter(2, TimeUnit.MINUTES)
            .watchJob(WatchJobRequest.newBuilder().setId("long").build());
        JobEvent e = events.next();
        while (!e.hasProgress()) {
          e = events.next();
        }
        assertTrue(e.getProgress().getStep() > checkpointed,
            "step " + e.getProgress().getStep() + " follows the checkpoint at step " + checkpointed);
        Job resumed = TrainerGrpc.newBlockingStub(channel).getJob(GetJobRequest.newBuilder().setId("long").build());
        assertEquals("runs/long", resumed.getTrain().getResume(), "requeued as a resume of its own run");
        String cancelled = cli("remote", "cancel", "long", "--target", trainer.target());
        assertTrue(cancelled.startsWith("long: cancel"), cancelled);
        JobState last = JobState.JOB_STATE_UNSPECIFIED;
        while (events.hasNext()) {
          JobEvent next = events.next();
          if (next.hasStateChange()) {
            last = next.getStateChange();
          }
        }
        assertEquals(JobState.JOB_STATE_CANCELLED, last);
      } finally {
        channel.shutdownNow();
      }
    }
  }

  /** {@code store} holds the store keys without the service prefix, e.g. {@code store.location}. */
  private void runPipeline(String label, Map<String, String> store) throws Exception {
    Path logs = LOGS.resolve(label);
    try (ServiceProcess trainer = ServiceProcess.start("trainer-service", TRAINER_JAR,
            with(store, "vvtq.trainer.", Map.of("vvtq.trainer.work-dir", dir.resolve(label + "-trainer-work").toString())), logs);
        ServiceProcess eval = ServiceProcess.start("eval-service", EVAL_JAR,
            with(store, "vvtq.eval.", Map.of("vvtq.eval.work-dir", dir.resolve(label + "-eval-work").toString())), logs);
        ServiceProcess inference = ServiceProcess.start("inference-service", INFERENCE_JAR,
            with(store, "vvtq.inference.", Map.of("vvtq.inference.cache-dir", dir.resolve(label + "-cache").toString())), logs);
        Channels ch = new Channels(trainer, eval, inference)) {
      TrainerGrpc.TrainerBlockingStub trainerStub = TrainerGrpc.newBlockingStub(ch.trainer);

      // 1. The float teacher.
      Job teacher = trainerStub.submitTrainJob(SubmitTrainJobRequest.newBuilder().setSpec(tiny(4).setRunId("teacher")).build());
      assertEquals(JobState.JOB_STATE_SUCCEEDED, watchToEnd(ch.trainer, teacher.getId()), "teacher: " + trainer.tail());

      // 2. Its soft labels, then W4A4 QAT with KD on them, the regulariser, from the teacher's weights.
      Job labels = trainerStub.submitLabelJob(SubmitLabelJobRequest.newBuilder().setSpec(LabelSpec.newBuilder()
          .setTeacherCheckpoint("runs/teacher@best").setData(data.toString()).setOutName("teacher").setCrops(2).setTopk(3)
          .setBatchSize(32)).build());
      assertEquals(JobState.JOB_STATE_SUCCEEDED, watchToEnd(ch.trainer, labels.getId()), "label: " + trainer.tail());
      Job qat = trainerStub.submitTrainJob(SubmitTrainJobRequest.newBuilder().setSpec(tiny(3).setRunId("w4a4").setWbits(4)
          .setAbits(4).setReg(true).setNumCrops(2).setSoftlabelPath("softlabels/teacher").setSoftLabelType("marginal_renorm")
          .setFinetune("runs/teacher@best").setLr(1e-3)).build());
      List<JobEvent> qatEvents = new ArrayList<>();
      assertEquals(JobState.JOB_STATE_SUCCEEDED, watchToEnd(ch.trainer, qat.getId(), qatEvents), "qat: " + trainer.tail());
      assertTrue(qatEvents.stream().anyMatch(e -> e.hasProgress() && e.getProgress().getOscillationCount() > 0));
      Job qatDone = trainerStub.getJob(GetJobRequest.newBuilder().setId("w4a4").build());
      String best = qatDone.getResult().getBestCheckpoint();
      assertTrue(best.startsWith("runs/w4a4/checkpoints/"), best);

      // 3. The best checkpoint on the eval service (DJL, fake-quantized).
      Evaluation djl = evaluate(ch.eval, ArtifactRef.newBuilder().setCheckpoint("runs/w4a4@best").build());
      assertEquals(EvalEngine.EVAL_ENGINE_DJL, djl.getEngine());
      assertEquals(18, djl.getImages());
      assertEquals(3, djl.getPerClassCount());
      assertEquals(9, djl.getConfusion().getCountsCount());
      assertEquals(qatDone.getResult().getBestTop1(), djl.getTop1(), 100.0 / 18 + 1e-9, "the service scores what validation scored");
      assertTrue(djl.getTop1() > 60, "W4A4 top-1 " + djl.getTop1());

      // 4. Export it with `vvtq remote export`, and score the integer model with the int-engine.
      String exported = cli("remote", "export", "--target", trainer.target(), "--checkpoint", "runs/w4a4@best",
          "--name", "tiny-w4a4");
      assertTrue(exported.contains("models/tiny-w4a4/1"), exported);
      Evaluation integer = evaluate(ch.eval, ArtifactRef.newBuilder().setModel("models/tiny-w4a4/1").build());
      assertEquals(EvalEngine.EVAL_ENGINE_INT, integer.getEngine());
      assertEquals(18, integer.getImages());
      assertTrue(Math.abs(integer.getTop1() - djl.getTop1()) <= 100.0 * 2 / 18 + 1e-9,
          "integer top-1 " + integer.getTop1() + " vs fake-quantized " + djl.getTop1());
      Evaluation stored = EvaluatorGrpc.newBlockingStub(ch.eval).getEvaluation(
          GetEvaluationRequest.newBuilder().setId(integer.getId()).build());
      assertEquals(integer, stored, "the evaluation is stored and read back unchanged");

      // 5. Load the export into the inference service and classify validation images.
      ModelStatus loaded = ClassifierGrpc.newBlockingStub(ch.inference).withDeadlineAfter(3, TimeUnit.MINUTES)
          .loadModel(LoadModelRequest.newBuilder().setStoreKey("models/tiny-w4a4/1").build()).getModel();
      assertEquals(ModelState.MODEL_STATE_READY, loaded.getState(), loaded.getReason() + "\n" + inference.tail());
      int correct = 0;
      for (int c = 0; c < 3; c++) {
        ClassifyResponse r = ClassifierGrpc.newBlockingStub(ch.inference).classify(ClassifyRequest.newBuilder()
            .setModel("tiny-w4a4").setTopK(3).setImage(ByteString.copyFrom(Files.readAllBytes(TinyImageFolder.valImage(data, c))))
            .build());
        assertEquals(3, r.getClassesCount());
        assertEquals(1.0, r.getClassesList().stream().mapToDouble(ClassScore::getProbability).sum(), 1e-3);
        if (r.getClasses(0).getLabel().equals("class" + c)) {
          correct++;
        }
      }
      assertTrue(correct >= 2, correct + " of 3 validation images classified right");
      String classified = cli("remote", "classify", "--target", inference.target(), "--model", "tiny-w4a4", "-k", "1",
          TinyImageFolder.valImage(data, 0).toString());
      assertTrue(classified.contains("class"), classified);

      String jobs = cli("remote", "jobs", "--target", trainer.target());
      assertTrue(jobs.contains("teacher") && jobs.contains("w4a4") && jobs.contains("succeeded"), jobs);
    }
  }

  private static TrainSpec.Builder tiny(int epochs) {
    return TrainSpec.newBuilder().setModel("deit_pico_patch4_16").setData(data.toString()).setEpochs(epochs).setBatchSize(8)
        .setLr(2e-3).setMinLr(1e-5).setWarmupEpochs(0).setSeed(7).setThreads(1);
  }

  private static Map<String, String> with(Map<String, String> store, String prefix, Map<String, String> more) {
    Map<String, String> all = new LinkedHashMap<>(more);
    store.forEach((k, v) -> all.put(prefix + k, v));
    return all;
  }

  private static JobState watchToEnd(ManagedChannel trainer, String id) {
    return watchToEnd(trainer, id, new ArrayList<>());
  }

  private static JobState watchToEnd(ManagedChannel trainer, String id, List<JobEvent> events) {
    Iterator<JobEvent> it = TrainerGrpc.newBlockingStub(trainer).withDeadlineAfter(5, TimeUnit.MINUTES)
        .watchJob(WatchJobRequest.newBuilder().setId(id).build());
    JobState last = JobState.JOB_STATE_UNSPECIFIED;
    while (it.hasNext()) {
      JobEvent e = it.next();
      events.add(e);
      if (e.hasStateChange()) {
        last = e.getStateChange();
      }
    }
    return last;
  }

  private static Evaluation evaluate(ManagedChannel eval, ArtifactRef artifact) {
    Iterator<EvaluateEvent> it = EvaluatorGrpc.newBlockingStub(eval).withDeadlineAfter(5, TimeUnit.MINUTES)
        .evaluate(EvaluateRequest.newBuilder().setArtifact(artifact).setDataset(data.toString()).setConfusionMatrix(true).build());
    Evaluation result = null;
    boolean progress = false;
    while (it.hasNext()) {
      EvaluateEvent e = it.next();
      progress |= e.hasProgress();
      if (e.hasResult()) {
        result = e.getResult();
      }
    }
    assertTrue(progress, "progress before the result");
    assertEquals(EvaluationState.EVALUATION_STATE_SUCCEEDED, result.getState(), result.getError());
    return result;
  }

  /** Runs {@code vvtq ...} in this JVM and returns what it printed; fails on a non-zero exit. */
  private static String cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = Main.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    assertEquals(0, code, String.join(" ", args) + ":\n" + out + err);
    return out.toString();
  }

  /** Plaintext channels to the three services. */
  private static final class Channels implements AutoCloseable {
    final ManagedChannel trainer;
    final ManagedChannel eval;
    final ManagedChannel inference;

    Channels(ServiceProcess trainer, ServiceProcess eval, ServiceProcess inference) {
      this.trainer = ManagedChannelBuilder.forAddress("127.0.0.1", trainer.grpcPort).usePlaintext().build();
      this.eval = ManagedChannelBuilder.forAddress("127.0.0.1", eval.grpcPort).usePlaintext().build();
      this.inference = ManagedChannelBuilder.forAddress("127.0.0.1", inference.grpcPort).usePlaintext().build();
    }

    @Override
    public void close() throws InterruptedException {
      for (ManagedChannel c : List.of(trainer, eval, inference)) {
        c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }
}
