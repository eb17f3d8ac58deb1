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
  /** Parameters (weights, step sizes, offsets) after each compared step, relative to the tensor's largest magnitude. */
  private static final double RELATIVE_TOLERANCE = 1e-5;

  /**
   * Averaged gradients against the one-process gradient. Looser: a step size's gradient is one sum
   * of thousands of terms that nearly cancel (round(x/s) - x/s inside the range, the clip level
   * outside), so summing two half batches instead of one moves it by ~1e-4 of itself (measured);
   * a sum instead of a mean is off by 1.0, a step-size gradient left local by 0.04 to 35.
   */
  private static final double GRADIENT_TOLERANCE = 1e-3;

  /**
   * Steps compared with one process. Beyond a few, 4-bit rounding turns the last-bit differences
   * of summing two half batches instead of one batch into flipped integers (chaotic growth, seen
   * from step 3 here), so later steps say nothing about the averaging.
   */
  private static final int STEPS = 2;

  private static final String EXACT_KEY_BIAS = "exactKeyBias=true";
  private static final String LR = "lr=2e-4";
  private static final String KEEP_STEPS = "keepSteps=true";

  @TempDir static Path dir;
  static Path data;
  static Path softlabels;
  /** The one-process run every test compares with. */
  static Path one;

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
    one = dir.resolve("one");
    try (NDManager m = NDManager.newBaseManager();
        QuantDeit teacher = QuantDeit.create(DeitModels.get("deit_pico_patch4_16", -1, -1).withNumClasses(3), m, 3);
        NoGrad ignored = NoGrad.enter()) {
      new SoftLabelGenerator(SoftLabelSpec.of(4, 2, 3, 16, 16)).generate(ImageFolder.split(data, "train"),
          x -> teacher.forward(x, ForwardContext.eval(x.getManager())), "random pico teacher", m, softlabels, p -> {});
    }
    // Started like the ranks (a child JVM), but without mpirun: Open MPI is never loaded.
    Job baseline = launch(0, one, "store=" + dir.resolve("store-one"), "run=one", EXACT_KEY_BIAS, LR, KEEP_STEPS);
    assertEquals(0, baseline.exit, baseline.log);
  }

  @Test
  void twoRanksTrainLikeOneProcessWithTheGlobalBatch() throws Exception {
    Path out = straightTwoRanks();
    assertEquals(List.of(), differences(out), "2 ranks against one process");
    List<float[]> r0 = readParams(out.resolve("rank-0.params"));
    List<float[]> r1 = readParams(out.resolve("rank-1.params"));
    for (int i = 0; i < r0.size(); i++) {
      assertArrayEquals(r0.get(i), r1.get(i), 0f, "tensor " + i + ": ranks must stay bit-identical to the end");
    }
    try (ArtifactStore store = new LocalFolderStore(dir.resolve("store-eq"))) {
      RunRecord rec = RunRecord.load(store, "eq").orElseThrow();
      assertEquals(RunStatus.SUCCEEDED, rec.status());
      assertEquals(0, worst(r0, params(store, rec.latestCheckpoint())), "rank 0 published what it trained");
      LoadedCheckpoint c = CheckpointRepository.resolve(store, rec.latestCheckpoint(), dir.resolve("work"));
      double reported = rec.history().get(rec.history().size() - 1).valTop1();
      assertEquals(evaluateInOneProcess(c.modelFile()).top1(), reported, 0.0,
          "the sharded validation must report what one process evaluating the checkpoint reports");
    }
  }

  @Test
  void summingInsteadOfAveragingIsCaught() throws Exception {
    Path out = dir.resolve("sum");
    Job job = launch(2, out, "store=" + dir.resolve("store-sum"), "run=sum", "sabotage=sum", EXACT_KEY_BIAS, LR, KEEP_STEPS);
    assertEquals(0, job.exit, job.log);
    assertFalse(differences(out).isEmpty(), "gradients summed over the ranks must not pass for the one-process run");
  }

  @Test
  void stepSizeGradientsLeftLocalAreCaught() throws Exception {
    Path out = dir.resolve("skip");
    Job job = launch(2, out, "store=" + dir.resolve("store-skip"), "run=skip", "sabotage=skip-steps", EXACT_KEY_BIAS, LR,
        KEEP_STEPS);
    assertEquals(0, job.exit, job.log);
    assertFalse(differences(out).isEmpty(), "step sizes trained on each rank's own gradients must be caught");
  }

  @Test
  void worldOfOneUnderMpirunIsTheOneProcessRun() throws Exception {
    Path out = dir.resolve("w1");
    Job job = launch(1, out, "store=" + dir.resolve("store-w1"), "run=w1", EXACT_KEY_BIAS, LR, KEEP_STEPS);
    assertEquals(0, job.exit, job.log);
    assertEquals(List.of(), differences(out), "1 rank under mpirun against one process");
    System.out.println("world 1 vs one process, final parameters: largest relative difference "
        + worst(readParams(one.resolve("rank-0.params")), readParams(out.resolve("rank-0.params"))));
  }

  @Test
  void resumeUnderTwoRanksEqualsTheStraightRun() throws Exception {
    Path store = dir.resolve("store-resume");
    Job first = launch(2, dir.resolve("res-a"), "store=" + store, "run=res", "cancelAtStep=3", EXACT_KEY_BIAS, LR);
    assertEquals(0, first.exit, first.log);
    assertTrue(Files.readString(dir.resolve("res-a").resolve("rank-0.result")).startsWith("cancelled"),
        "rank 1's cancel stops rank 0 at the same step: " + first.log);
    Job second = launch(2, dir.resolve("res-b"), "store=" + store, "resume=runs/res", EXACT_KEY_BIAS, LR);
    assertEquals(0, second.exit, second.log);
    List<float[]> resumed = readParams(dir.resolve("res-b").resolve("rank-0.params"));
    List<float[]> direct = readParams(straightTwoRanks().resolve("rank-0.params"));
    for (int i = 0; i < direct.size(); i++) {
      assertArrayEquals(direct.get(i), resumed.get(i), 0f, "tensor " + i);
    }
    Job otherWorld = launch(1, dir.resolve("res-w1"), "store=" + store, "resume=runs/res", EXACT_KEY_BIAS, LR);
    assertNotEquals(0, otherWorld.exit);
    assertTrue(otherWorld.log.contains("was trained on 2 rank(s)"), otherWorld.log);
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
    System.out.println("killed rank 1: the job ended " + seconds + " s later");
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

  /** The 2-rank run the equivalence and resume tests share (trained once). */
  private static synchronized Path straightTwoRanks() throws Exception {
    Path out = dir.resolve("eq");
    if (!Files.exists(out.resolve("rank-0.result"))) {
      Job job = launch(2, out, "store=" + dir.resolve("store-eq"), "run=eq", EXACT_KEY_BIAS, LR, KEEP_STEPS);
      assertEquals(0, job.exit, job.log);
    }
    return out;
  }

  /**
   * Where the run in {@code out} departs from the one-process run in its first {@link #STEPS}
   * steps: each rank's averaged gradients ({@link #GRADIENT_TOLERANCE}) and its parameters after each
   * update ({@link #RELATIVE_TOLERANCE}), per tensor relative to its largest magnitude. Empty when equivalent.
   */
  private static List<String> differences(Path out) throws IOException {
    List<String> found = new ArrayList<>();
    for (int k = 1; k <= STEPS; k++) {
      for (String kind : new String[] {"grads", "params"}) {
        List<float[]> expected = readParams(one.resolve("rank-0.step-" + k + "." + kind));
        for (int r = 0; Files.exists(out.resolve("rank-" + r + ".step-" + k + "." + kind)); r++) {
          double w = worst(expected, readParams(out.resolve("rank-" + r + ".step-" + k + "." + kind)));
          if (w > (kind.equals("grads") ? GRADIENT_TOLERANCE : RELATIVE_TOLERANCE)) {
            found.add("step " + k + " rank " + r + " " + kind + ": " + w);
          }
        }
      }
    }
    return found;
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

  /** {@code ranks} processes under mpirun, or (0) one process started without it. */
  private static Process start(int ranks, Path out, String... args) throws IOException {
    Files.createDirectories(out);
    List<String> cmd = new ArrayList<>();
    if (ranks > 0) {
      cmd.addAll(List.of(mpirun(), "-np", Integer.toString(ranks), "--bind-to", "none",
          // Containers often forbid the cross-memory attach the shared-memory transport uses by default.
          "--mca", "btl_vader_single_copy_mechanism", "none",
          "-x", "OMP_WAIT_POLICY=PASSIVE"));
    }
    cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
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

  static List<float[]> readParams(Path file) throws IOException {
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

}
