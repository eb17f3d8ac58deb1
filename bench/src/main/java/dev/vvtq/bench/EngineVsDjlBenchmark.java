package dev.vvtq.bench;

import ai.djl.ndarray.NDManager;
import dev.vvtq.engine.EngineOptions;
import dev.vvtq.engine.IntDeit;
import dev.vvtq.engine.WarmUpReport;
import dev.vvtq.engine.model.ExportedModel;
import dev.vvtq.engineeval.CalibratedModels;
import dev.vvtq.engineeval.FakeQuantForward;
import dev.vvtq.imaging.RgbImage;
import dev.vvtq.qat.model.DeitConfig;
import dev.vvtq.qat.model.DeitModels;
import dev.vvtq.qat.model.QuantDeit;
import dev.vvtq.qat.nn.Param;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The integer engine against DJL PyTorch FP32 in one run, on one machine, with the same weights: a
 * seeded {@code deit_tiny_patch16_224} (or {@code model=}) whose float weights are run as a float model
 * on DJL and, quantized (W4A4 by default; weight steps by the MSE fixed point, activation steps calibrated
 * on synthetic images) and exported with IntegerModelExporter, on the int-engine. Both backends take
 * normalised images in a float array and return logits in a float array, under {@link
 * EngineBenchmark#measure}'s protocol: p50 / p99 latency and images/s per batch size, plus the bytes of
 * weights each holds.
 *
 * <p>Usage: {@code EngineVsDjlBenchmark [model=deit_tiny_patch16_224] [bits=4] [threads=2] [batches=1,8,32]
 * [rounds=3] [seconds=4] [quiet=0.9] [seed=5]} (threads: engine threads and PyTorch intra-op threads;
 * quiet: wait up to 5 minutes before each configuration for the machine to be that idle, 0 = never wait).
 *
 * <p>PyTorch's OpenMP threads: with {@code OMP_WAIT_POLICY} unset, a deit_tiny forward with 2 intra-op
 * threads took about 1.7 s instead of about 45 ms on a 2-core machine that another process kept busy;
 * {@code OMP_WAIT_POLICY=PASSIVE} (or {@code ACTIVE}) avoided it there but doubled DJL's time on the idle
 * machine (40-55 ms instead of 20-30 ms). Measure on an idle machine with it unset; the header prints it.
 */
public final class EngineVsDjlBenchmark {
  private EngineVsDjlBenchmark() {}

  public static void main(String[] args) throws Exception {
    String name = EngineBenchmark.arg(args, "model", "deit_tiny_patch16_224");
    int bits = Integer.parseInt(EngineBenchmark.arg(args, "bits", "4"));
    int threads = Integer.parseInt(EngineBenchmark.arg(args, "threads", "2"));
    int[] batches = Arrays.stream(EngineBenchmark.arg(args, "batches", "1,8,32").split(",")).mapToInt(Integer::parseInt).toArray();
    int rounds = Integer.parseInt(EngineBenchmark.arg(args, "rounds", "3"));
    double seconds = Double.parseDouble(EngineBenchmark.arg(args, "seconds", "4"));
    double quiet = Double.parseDouble(EngineBenchmark.arg(args, "quiet", "0.9"));
    long seed = Long.parseLong(EngineBenchmark.arg(args, "seed", "5"));
    // PyTorch reads its thread counts when DJL starts the engine: before the first NDManager.
    System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
    System.setProperty("ai.djl.pytorch.num_interop_threads", "1");

    DeitConfig quantized = DeitModels.get(name, bits, bits);
    DeitConfig fp32 = DeitModels.get(name, -1, -1);
    System.out.println("== int-engine vs DJL PyTorch FP32, same weights");
    System.out.printf(Locale.ROOT, "machine: %s, %d cores visible; JDK %s (%s); vector species %d-bit%n",
        EngineBenchmark.cpuModel(), Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
        System.getProperty("java.vm.name"), jdk.incubator.vector.DoubleVector.SPECIES_PREFERRED.vectorBitSize());
    System.out.printf(Locale.ROOT, "protocol: %d rounds of >= %.1f s (>= 10 calls) per configuration after warm-up;"
        + " best round shown, all rounds in parentheses; %d engine threads, %d PyTorch intra-op threads"
        + " (OMP_WAIT_POLICY %s)%n", rounds, seconds, threads, threads,
        System.getenv().getOrDefault("OMP_WAIT_POLICY", "unset"));

    List<EngineBenchmark.Stats> all = new ArrayList<>();
    long t0 = System.nanoTime();
    try (NDManager root = NDManager.newBaseManager()) {
      int calibrate = 8;
      List<RgbImage> images = CalibratedModels.images(calibrate, 300, 260, seed + 1);
      try (QuantDeit q = CalibratedModels.random(quantized, seed, 1,
              CalibratedModels.preprocess(images, quantized.evalPreprocessor()), calibrate, root);
          QuantDeit f = QuantDeit.create(fp32, root, seed)) {
        // the float model gets the very weights the quantized one was calibrated and exported from
        Map<String, Param> from = q.namedParameters();
        long floatParams = 0;
        for (Map.Entry<String, Param> e : f.namedParameters().entrySet()) {
          e.getValue().assign(from.get(e.getKey()).values());
          floatParams += e.getValue().shape().size();
        }
        Path dir = CalibratedModels.export(q, CalibratedModels.classNames(quantized.numClasses()),
            Files.createTempDirectory("engine-vs-djl-"), name, "1");
        ExportedModel exported = ExportedModel.load(dir);
        System.out.printf(Locale.ROOT, "model: %s, seeded random weights (timm init, seed %d); %s export %s;"
            + " prepared in %.1f s%n", name, seed, quantized.bitsLabel(), dir, (System.nanoTime() - t0) / 1e9);
        int imageFloats = fp32.inChans() * fp32.imgSize() * fp32.imgSize();

        // DJL FP32
        EngineBenchmark.Backend djl = (x, n) -> FakeQuantForward.logits(f, x, n);
        long w0 = System.nanoTime();
        float[] warm = new float[batches[batches.length - 1] * imageFloats];
        for (int i = 0; i < 5; i++) {
          djl.infer(warm, 1);
        }
        djl.infer(warm, batches[batches.length - 1]);
        System.out.printf(Locale.ROOT, "%nDJL PyTorch FP32: warm-up %.1f s; weights held: %d float32 parameters ="
            + " %.2f MB%n", (System.nanoTime() - w0) / 1e9, floatParams, floatParams * 4 / 1e6);
        for (int batch : batches) {
          all.add(run("DJL PyTorch FP32", djl, threads, imageFloats, batch, rounds, seconds, quiet));
        }

        // int-engine
        try (IntDeit engine = IntDeit.of(exported, EngineOptions.defaults().withThreads(threads))) {
          WarmUpReport w = engine.warmUp();
          System.out.printf(Locale.ROOT, "%nint-engine %s (%s kernels): warm-up %d passes in %.1f s (%d bytes allocated"
              + " per settled pass); weights held: weight matrices %.2f MB (1/%.1f of FP32), everything the prepared"
              + " model holds %.2f MB (1/%.1f)%n", quantized.bitsLabel(), engine.kernelsName(), w.passes(), w.seconds(),
              w.allocatedBytesPerPass(), engine.weightBytes() / 1e6, floatParams * 4.0 / engine.weightBytes(),
              engine.modelBytes() / 1e6, floatParams * 4.0 / engine.modelBytes());
          for (int batch : batches) {
            all.add(run("int-engine " + quantized.bitsLabel(), (x, n) -> engine.forward(x, n), threads,
                engine.imageFloats(), batch, rounds, seconds, quiet));
          }
        }
      }
    }
    System.out.println("\n== summary");
    all.forEach(s -> System.out.println(s.line()));
    System.out.println("\n== engine / DJL FP32 (best rounds)");
    for (int batch : batches) {
      EngineBenchmark.Stats d = find(all, "DJL", batch);
      EngineBenchmark.Stats e = find(all, "int-engine", batch);
      double dp50 = EngineBenchmark.Stats.best(d.p50PerRound(), true);
      double ep50 = EngineBenchmark.Stats.best(e.p50PerRound(), true);
      double dips = EngineBenchmark.Stats.best(d.imagesPerSecondPerRound(), false);
      double eips = EngineBenchmark.Stats.best(e.imagesPerSecondPerRound(), false);
      System.out.printf(Locale.ROOT, "batch %3d: p50 latency %.2f x DJL's (%.2f vs %.2f ms), throughput %.2f x DJL's"
          + " (%.1f vs %.1f images/s)%n", batch, ep50 / dp50, ep50, dp50, eips / dips, eips, dips);
    }
  }

  private static EngineBenchmark.Stats run(String name, EngineBenchmark.Backend backend, int threads, int imageFloats,
      int batch, int rounds, double seconds, double quiet) throws InterruptedException {
    if (quiet > 0) {
      double idle = EngineBenchmark.awaitQuiet(quiet, 300);
      System.out.printf(Locale.ROOT, "(machine %.0f%% idle before this configuration)%n", 100 * idle);
    } else {
      Thread.sleep(500); // let the other backend's idle threads stop spinning
    }
    EngineBenchmark.Stats s = EngineBenchmark.measure(name, backend, threads, imageFloats, batch, rounds, seconds);
    System.out.println(s.line());
    return s;
  }

  private static EngineBenchmark.Stats find(List<EngineBenchmark.Stats> all, String prefix, int batch) {
    return all.stream().filter(s -> s.name().startsWith(prefix) && s.batch() == batch).findFirst().orElseThrow();
  }
}
