package dev.vvtq.qat.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDManager;
import dev.vvtq.artifacts.store.ArtifactStore;
import dev.vvtq.artifacts.store.LocalFolderStore;
import dev.vvtq.qat.checkpoint.CheckpointRepository;
import dev.vvtq.qat.checkpoint.LoadedCheckpoint;
import dev.vvtq.qat.checkpoint.ModelWeights;
import dev.vvtq.qat.data.DataLoader;
import dev.vvtq.qat.data.ImageFolder;
import dev.vvtq.qat.data.ImageFolderSource;
import dev.vvtq.qat.data.LoaderOptions;
import dev.vvtq.qat.eval.EvaluationResult;
import dev.vvtq.qat.eval.Evaluator;
import dev.vvtq.qat.model.DeitModels;
import dev.vvtq.qat.model.QuantDeit;
import dev.vvtq.qat.nn.ForwardContext;
import dev.vvtq.qat.nn.NoGrad;
import dev.vvtq.qat.nn.Param;
import dev.vvtq.qat.softlabel.SoftLabelGenerator;
import dev.vvtq.qat.softlabel.SoftLabelSpec;
import java.io.DataInputStream;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data-parallel training under a real {@code mpirun} (Open MPI), each rank a child JVM running
 * {@link DataParallelChild}, against one process: W4A4 QAT with KD on multi-crop soft labels and the
 * bin regulariser on a tiny model. Skipped only where mpirun is not installed.
 */
class DataParallelTrainingTest {
  private static final double RELATIVE_TOLERANCE = 1e-5;

  @TempDir static Path dir;
  static Path data;
  static Path softlabels;
  static List<float[]> oneProcess;
  static EvaluationResult oneProcessVal;

  /** The run every test trains: global batch 8 over 18 images, 4 epochs (a 2-epoch multi-crop pass, then 2). */
  static TrainSpec spec(Path data, String softlabels, String runId, int epochs) {
    return TrainSpec.builder().model("deit_pico_patch4_16").data(data.toString()).epochs(epochs).batchSize(8)
        .lr(2e-3).minLr(1e-5).warmupEpochs(0).wbits(4).abits(4).reg(true).numCrops(2).softlabelPath(softlabels)
        .softLabelType("marginal_renorm").saveCheckpointPath("unused").runId(runId).seed(7).threads(1).dropPath(0)
        .build();
  }

  @BeforeAll
  static void oneProcessRun() throws Exception {
    assumeTrue(mpirun() != null, "mpirun is not installed (Debian: openmpi-bin libopenmpi-dev): data-parallel tests skipped");
    data = LearnableImages.dataset(dir.resolve("data"), 3, 6, 4);
    softlabels = dir.resolve("softlabels");
    try (NDManager m = NDManager.newBaseManager();
        QuantDeit teacher = QuantDeit.create(DeitModels.get("deit_pico_patch4_16", -1, -1).withNumClasses(3), m, 3);
        NoGrad ignored = NoGrad.enter()) {
      new SoftLabelGenerator(SoftLabelSpec.of(4, 2, 3, 16, 16)).generate(ImageFolder.split(data, "train"),
          x -> teacher.forward(x, ForwardContext.eval(x.getManager())), "random pico teacher", m, softlabels, p -> {});
    }
    try (ArtifactStore store = new LocalFolderStore(dir.resolve("store-one"))) {
      TrainingResult r = new Trainer(spec(data, softlabels.toString(), "one", 4), store, dir.resolve("work"), null, null).run();
      oneProcess = params(store, r.lastCheckpoint());
      oneProcessVal = r.finalValidation();
    }
  }

  @Test
  void twoRanksTrainLikeOneProcessWithTheGlobalBatch() throws Exception {
    Path out = dir.resolve("eq");
    Job job = launch(2, out, "store=" + dir.resolve("store-eq"), "run=eq");
    assertEquals(0, job.exit, job.log);
    List<float[]> r0 = readParams(out.resolve("rank-0.params"));
    List<float[]> r1 = readParams(out.resolve("rank-1.params"));
    for (int i = 0; i < r0.size(); i++) {
      assertArrayEquals(r0.get(i), r1.get(i), 0f, "tensor " + i + ": ranks must stay bit-identical");
    }
    assertClose(oneProcess, r0);
    try (ArtifactStore store = new LocalFolderStore(dir.resolve("store-eq"))) {
      RunRecord rec = RunRecord.load(store, "eq").orElseThrow();
      assertEquals(RunStatus.SUCCEEDED, rec.status());
      LoadedCheckpoint c = CheckpointRepository.resolve(store, rec.latestCheckpoint(), dir.resolve("work"));
      assertClose(r0, params(store, rec.latestCheckpoint()));
      double reported = rec.history().get(rec.history().size() - 1).valTop1();
      assertEquals(evaluateInOneProcess(c.modelFile()).top1(), reported, 0.0,
          "the sharded validation must report what one process evaluating the checkpoint reports");
    }
  }

  @Test
  void summingInsteadOfAveragingIsCaught() throws Exception {
    Job job = launch(2, dir.resolve("sum"), "store=" + dir.resolve("store-sum"), "run=sum", "sabotage=sum");
    assertEquals(0, job.exit, job.log);
    assertFalse(close(oneProcess, readParams(dir.resolve("sum").resolve("rank-0.params"))),
        "gradients summed over ranks must not pass for the one-process run");
  }

  @Test
  void stepSizeGradientsLeftLocalAreCaught() throws Exception {
    Job job = launch(2, dir.resolve("skip"), "store=" + dir.resolve("store-skip"), "run=skip", "sabotage=skip-steps");
    assertEquals(0, job.exit, job.log);
    List<float[]> r0 = readParams(dir.resolve("skip").resolve("rank-0.params"));
    List<float[]> r1 = readParams(dir.resolve("skip").resolve("rank-1.params"));
    boolean identical = true;
    for (int i = 0; i < r0.size(); i++) {
      identical &= java.util.Arrays.equals(r0.get(i), r1.get(i));
    }
    assertFalse(identical && close(oneProcess, r0), "step sizes trained on each rank's own gradient must be caught");
  }

  @Test
  void worldOfOneUnderMpirunIsTheOneProcessRun() throws Exception {
    Job job = launch(1, dir.resolve("w1"), "store=" + dir.resolve("store-w1"), "run=w1");
    assertEquals(0, job.exit, job.log);
    List<float[]> w1 = readParams(dir.resolve("w1").resolve("rank-0.params"));
    for (int i = 0; i < w1.size(); i++) {
      assertArrayEquals(oneProcess.get(i), w1.get(i), 0f, "tensor " + i);
    }
  }

  @Test
  void resumeUnderTwoRanksEqualsTheStraightRun() throws Exception {
    Path store = dir.resolve("store-resume");
    Job first = launch(2, dir.resolve("res-a"), "store=" + store, "run=res", "cancelAtStep=3");
    assertEquals(0, first.exit, first.log);
    assertTrue(Files.readString(dir.resolve("res-a").resolve("rank-0.result")).startsWith("cancelled"),
        "rank 1's cancel stops rank 0 too: " + first.log);
    Job second = launch(2, dir.resolve("res-b"), "store=" + store, "resume=runs/res");
    assertEquals(0, second.exit, second.log);
    List<float[]> resumed = readParams(dir.resolve("res-b").resolve("rank-0.params"));
    Job straight = launch(2, dir.resolve("res-straight"), "store=" + dir.resolve("store-straight"), "run=straight");
    assertEquals(0, straight.exit, straight.log);
    List<float[]> direct = readParams(dir.resolve("res-straight").resolve("rank-0.params"));
    for (int i = 0; i < direct.size(); i++) {
      assertArrayEquals(direct.get(i), resumed.get(i), 0f, "tensor " + i);
    }
  }

  @Test
  void aKilledRankEndsTheJobAndTheRunResumes() throws Exception {
    Path out = dir.resolve("kill");
    Path storeDir = dir.resolve("store-kill");
    Process p = start(2, out, "store=" + storeDir, "run=kill", "slowMs=400", "epochs=6");
    Path latest = storeDir.resolve("runs/kill/checkpoints/latest.json");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
    while (!(Files.exists(latest) && Files.exists(out.resolve("rank-1.pid"))) && p.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertTrue(p.isAlive(), "the job ended before a checkpoint was written: " + read(out));
    Thread.sleep(600);
    long pid = Long.parseLong(Files.readString(out.resolve("rank-1.pid")).trim());
    long killed = System.nanoTime();
    assertTrue(ProcessHandle.of(pid).map(ProcessHandle::destroyForcibly).orElse(false), "kill -9 rank 1");
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the job must end within 30 s of a rank's death");
    double seconds = (System.nanoTime() - killed) / 1e9;
    String log = read(out);
    assertNotEquals(0, p.exitValue(), log);
    assertTrue(log.contains("rank 1"), "mpirun names the dead rank: " + log);
    assertTrue(seconds < 30, "ended after " + seconds + " s");
    try (ArtifactStore store = new LocalFolderStore(storeDir);
        var folders = Files.list(storeDir.resolve("runs/kill/checkpoints"))) {
      List<Path> steps = folders.filter(Files::isDirectory).toList();
      assertFalse(steps.isEmpty());
      assertEquals(steps.size(), new CheckpointRepository(store, "kill").list().size(), "every checkpoint folder has its manifest");
      for (Path step : steps) {
        // Resolving verifies every file against the manifest's sha256.
        CheckpointRepository.resolve(store, "runs/kill/checkpoints/" + step.getFileName(), dir.resolve("work"));
      }
    }
    Job resumed = launch(2, dir.resolve("kill-resume"), "store=" + storeDir, "resume=runs/kill", "epochs=6");
    assertEquals(0, resumed.exit, resumed.log);
    assertTrue(Files.readString(dir.resolve("kill-resume").resolve("rank-0.result")).startsWith("finished"));
  }

  // ---- helpers

  record Job(int exit, String log) {}

  private static Job launch(int ranks, Path out, String... args) throws Exception {
    Process p = start(ranks, out, args);
    if (!p.waitFor(240, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("mpirun did not finish in 240 s: " + read(out));
    }
    return new Job(p.exitValue(), read(out));
  }

  private static Process start(int ranks, Path out, String... args) throws IOException {
    Files.createDirectories(out);
    List<String> cmd = new ArrayList<>(List.of(mpirun(), "-np", Integer.toString(ranks), "--bind-to", "none",
        // Containers often forbid the cross-memory attach the shared-memory transport uses by default.
        "--mca", "btl_vader_single_copy_mechanism", "none",
        "-x", "OMP_WAIT_POLICY=PASSIVE",
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xss4m", "-Dai.djl.offline=true", "--add-modules", "jdk.incubator.vector"));
    if (Runtime.version().feature() >= 22) {
      cmd.add("--enable-native-access=ALL-UNNAMED");
    }
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), DataParallelChild.class.getName(),
        "data=" + data, "softlabels=" + softlabels, "work=" + dir.resolve("work"), "out=" + out));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.resolve("log.txt").toFile());
    pb.environment().put("OMPI_ALLOW_RUN_AS_ROOT", "1");
    pb.environment().put("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1");
    return pb.start();
  }

  private static String read(Path out) throws IOException {
    Path log = out.resolve("log.txt");
    if (!Files.exists(log)) {
      return "(no output)";
    }
    String s = Files.readString(log);
    return s.length() > 6000 ? s.substring(s.length() - 6000) : s;
  }

  static String mpirun() {
    for (String d : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
      Path p = Path.of(d, "mpirun");
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    return null;
  }

  private static EvaluationResult evaluateInOneProcess(Path modelFile) throws IOException {
    try (NDManager m = NDManager.newBaseManager(); QuantDeit model = ModelWeights.load(modelFile, m)) {
      ImageFolder val = ImageFolder.split(data, "val");
      try (DataLoader loader = new DataLoader(ImageFolderSource.evaluation(val, model.config().evalPreprocessor(), null),
          LoaderOptions.evaluation(8, 0))) {
        return Evaluator.evaluate(model, loader, val.classes(), null);
      }
    }
  }

  private static List<float[]> params(ArtifactStore store, String ref) throws IOException {
    LoadedCheckpoint c = CheckpointRepository.resolve(store, ref, dir.resolve("work"));
    List<float[]> out = new ArrayList<>();
    try (NDManager m = NDManager.newBaseManager(); QuantDeit model = ModelWeights.load(c.modelFile(), m)) {
      for (Param p : model.namedParameters().values()) {
        out.add(p.values());
      }
    }
    return out;
  }

  private static List<float[]> readParams(Path file) throws IOException {
    try (DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(file)))) {
      int n = in.readInt();
      List<float[]> out = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        float[] v = new float[in.readInt()];
        for (int j = 0; j < v.length; j++) {
          v[j] = in.readFloat();
        }
        out.add(v);
      }
      return out;
    }
  }

  /** Every tensor within {@link #RELATIVE_TOLERANCE} of the other, relative to its largest magnitude. */
  private static boolean close(List<float[]> expected, List<float[]> actual) {
    return worst(expected, actual) <= RELATIVE_TOLERANCE;
  }

  private static double worst(List<float[]> expected, List<float[]> actual) {
    assertEquals(expected.size(), actual.size(), "tensor count");
    double worst = 0;
    for (int i = 0; i < expected.size(); i++) {
      float[] e = expected.get(i);
      float[] a = actual.get(i);
      assertEquals(e.length, a.length, "tensor " + i + " size");
      double scale = 0;
      double diff = 0;
      for (int j = 0; j < e.length; j++) {
        scale = Math.max(scale, Math.abs(e[j]));
        diff = Math.max(diff, Math.abs(e[j] - a[j]));
      }
      worst = Math.max(worst, diff / Math.max(scale, 1e-12));
    }
    return worst;
  }

  private static void assertClose(List<float[]> expected, List<float[]> actual) {
    double w = worst(expected, actual);
    assertTrue(w <= RELATIVE_TOLERANCE, "largest relative difference " + w + " > " + RELATIVE_TOLERANCE);
  }
}
