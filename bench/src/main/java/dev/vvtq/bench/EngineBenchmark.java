package dev.vvtq.bench;

import dev.vvtq.engine.EngineOptions;
import dev.vvtq.engine.IntDeit;
import dev.vvtq.engine.OpClass;
import dev.vvtq.engine.OpProfile;
import dev.vvtq.engine.WarmUpReport;
import dev.vvtq.engine.model.ModelConfig;
import dev.vvtq.engine.model.ModelLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Latency, throughput, memory and a per-operation profile of the integer engine on an exported model,
 * printed with the exact configuration (SyntheticEngineBenchmark in the test sources runs it on a
 * random-weight deit_tiny_patch16_224 W4A4 export). Another backend (DJL FP32) plugs in through
 * {@link Backend} and {@link #measure}, so both run the same protocol.
 *
 * <p>Usage: {@code EngineBenchmark model=<models/name/version> [threads=1,2] [batches=1,8,32] [rounds=3]
 * [seconds=4] [profile=true]
 * [quiet=0.9] [micro=2] [spin=100]} (micro: images per piece of a batch; spin: microseconds idle threads
 * spin before parking, 0 for a pure park/unpark hand-off;
 * quiet: wait up to 5 minutes before each configuration for the machine to be that idle).
 */
public final class EngineBenchmark {

  /** A model runner under test: logits of {@code batch} images stored one after another. */
  @FunctionalInterface
  public interface Backend {
    void infer(float[] images, int batch);
  }

  /** Latency statistics of one configuration over several rounds. */
  public record Stats(String name, int batch, int threads, double[] p50PerRound, double[] p99PerRound,
      double[] imagesPerSecondPerRound, int callsPerRound) {

    static double best(double[] v, boolean low) {
      return Arrays.stream(v).reduce(low ? Double.MAX_VALUE : 0, low ? Math::min : Math::max);
    }

    String line() {
      return String.format(Locale.ROOT,
          "%-22s batch %3d  threads %d  p50 %8.2f ms (rounds %s)  p99 %8.2f ms  %7.1f img/s (rounds %s)  %.2f ms/img",
          name, batch, threads, best(p50PerRound, true), fmt(p50PerRound), best(p99PerRound, true),
          best(imagesPerSecondPerRound, false), fmt(imagesPerSecondPerRound), 1000 / best(imagesPerSecondPerRound, false));
    }
  }

  private static String fmt(double[] v) {
    StringBuilder sb = new StringBuilder();
    for (double d : v) {
      sb.append(sb.length() == 0 ? "" : "/").append(String.format(Locale.ROOT, d >= 100 ? "%.0f" : "%.2f", d));
    }
    return sb.toString();
  }

  /**
   * Runs {@code backend} on {@code batch} random images repeatedly for about {@code seconds} per round
   * (at least 10 calls), {@code rounds} times; returns p50/p99 latency and images per second per round.
   */
  public static Stats measure(String name, Backend backend, int threads, int imageFloats, int batch, int rounds,
      double seconds) {
    float[] images = new float[batch * imageFloats];
    java.util.Random rnd = new java.util.Random(7);
    for (int i = 0; i < images.length; i++) {
      images[i] = (float) rnd.nextGaussian();
    }
    backend.infer(images, batch); // a last touch of the buffers before timing
    double[] p50 = new double[rounds];
    double[] p99 = new double[rounds];
    double[] ips = new double[rounds];
    int calls = 0;
    for (int r = 0; r < rounds; r++) {
      List<Long> times = new ArrayList<>();
      long start = System.nanoTime();
      long end = start + (long) (seconds * 1e9);
      while (times.size() < 10 || System.nanoTime() < end) {
        long t0 = System.nanoTime();
        backend.infer(images, batch);
        times.add(System.nanoTime() - t0);
      }
      long total = System.nanoTime() - start;
      long[] sorted = times.stream().mapToLong(Long::longValue).sorted().toArray();
      p50[r] = sorted[sorted.length / 2] / 1e6;
      p99[r] = sorted[Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * 0.99) - 1)] / 1e6;
      ips[r] = (double) batch * sorted.length / (total / 1e9);
      calls = sorted.length;
    }
    return new Stats(name, batch, threads, p50, p99, ips, calls);
  }

  /** Multiply-accumulates per image of the linear layers (incl. patch embedding and head) and of attention. */
  static long[] macsPerImage(ModelConfig c) {
    long d = c.embedDim();
    long t = c.tokens();
    long m = c.mlpDim();
    long hd = c.headDim();
    long heads = c.numHeads();
    long linear = (long) c.numPatches() * c.patchDim() * d + d * c.numClasses();
    long attention = 0;
    for (int i = 0; i < c.depth(); i++) {
      boolean last = i == c.depth() - 1;
      long queries = last ? 1 : t; // the last block serves only the class token
      linear += t * d * 3 * d + queries * (d * d + 2 * d * m);
      attention += heads * queries * t * hd * 2;
    }
    return new long[] {linear, attention};
  }

  /** Parameters of the float model the export comes from (every tensor except step sizes and offsets). */
  static long floatParams(ModelConfig c) {
    ModelLayout l = new ModelLayout(c);
    long n = 0;
    for (long[] shape : l.floatParams().values()) {
      n += dev.vvtq.artifacts.safetensors.TensorInfo.numel(shape);
    }
    for (var s : l.linears().values()) {
      n += (long) s.in() * s.out() + s.out();
    }
    return n;
  }

  /** Fraction of CPU time idle over {@code millis}, from /proc/stat (1.0 where unavailable). */
  static double idleFraction(long millis) {
    try {
      long[] a = cpuTimes();
      Thread.sleep(millis);
      long[] b = cpuTimes();
      double total = b[0] - a[0];
      return total <= 0 ? 1.0 : (b[1] - a[1]) / total;
    } catch (Exception e) {
      return 1.0;
    }
  }

  private static long[] cpuTimes() throws java.io.IOException {
    String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
    long total = 0;
    for (int i = 1; i < f.length; i++) {
      total += Long.parseLong(f[i]);
    }
    return new long[] {total, Long.parseLong(f[4]) + Long.parseLong(f[5])};
  }

  /**
   * Waits (at most {@code maxSeconds}) until other processes leave the machine at least {@code
   * minIdle} idle over a second: the cores are shared, and a busy neighbour distorts every figure.
   * Returns the idle fraction last seen.
   */
  static double awaitQuiet(double minIdle, double maxSeconds) {
    long end = System.nanoTime() + (long) (maxSeconds * 1e9);
    double idle;
    do {
      idle = idleFraction(1000);
    } while (idle < minIdle && System.nanoTime() < end);
    return idle;
  }

  /** The value of {@code key=value} among {@code args}, or {@code def}; the bench mains' one argument form. */
  static String arg(String[] args, String key, String def) {
    for (String a : args) {
      if (a.startsWith(key + "=")) {
        return a.substring(key.length() + 1);
      }
    }
    return def;
  }

  static String cpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (Exception e) {
      // not Linux: fall through
    }
    return System.getProperty("os.arch");
  }

  public static void main(String[] args) throws Exception {
    int[] threadCounts = Arrays.stream(arg(args, "threads", "1,2").split(",")).mapToInt(Integer::parseInt).toArray();
    int[] batches = Arrays.stream(arg(args, "batches", "1,8,32").split(",")).mapToInt(Integer::parseInt).toArray();
    int rounds = Integer.parseInt(arg(args, "rounds", "3"));
    double seconds = Double.parseDouble(arg(args, "seconds", "4"));
    boolean profile = Boolean.parseBoolean(arg(args, "profile", "true"));
    double quiet = Double.parseDouble(arg(args, "quiet", "0.9"));
    int micro = Integer.parseInt(arg(args, "micro", "2"));
    long spin = Long.parseLong(arg(args, "spin", "100"));

    String model = arg(args, "model", null);
    if (model == null) {
      System.err.println("usage: EngineBenchmark model=<exported model folder> [threads=1,2] [batches=1,8,32]"
          + " [rounds=3] [seconds=4] [profile=true] [quiet=0.9] [micro=2] [spin=100]");
      System.exit(2);
    }
    Path dir = Path.of(model);
    ModelConfig c = dev.vvtq.engine.model.ExportedModel.load(dir).config();
    System.out.println("== int-engine benchmark");
    System.out.printf(Locale.ROOT, "machine: %s, %d cores visible; JDK %s (%s); vector species %d-bit%n", cpuModel(),
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), System.getProperty("java.vm.name"),
        jdk.incubator.vector.DoubleVector.SPECIES_PREFERRED.vectorBitSize());
    System.out.println("model: " + dir + " " + c.toJson());
    System.out.printf(Locale.ROOT, "protocol: %d rounds of >= %.1f s (>= 10 calls) per configuration, after warm-up;"
        + " best round shown, all rounds in parentheses%n", rounds, seconds);

    long[] macs = macsPerImage(c);
    List<Stats> all = new ArrayList<>();
    for (int threads : threadCounts) {
      EngineOptions o = EngineOptions.defaults().withThreads(threads).withMaxMicroBatch(micro).withSpinMicros(spin);
      long l0 = System.nanoTime();
      try (IntDeit engine = IntDeit.load(dir, o)) {
        double loadSeconds = (System.nanoTime() - l0) / 1e9;
        WarmUpReport w = engine.warmUp();
        System.out.printf(Locale.ROOT, "%nthreads %d (spin %d us): %s kernels, load %.2f s, warm-up %d passes in %.1f s (first %.0f ms,"
            + " settled %.2f ms, %d bytes allocated per settled pass)%n", threads, spin, engine.kernelsName(), loadSeconds,
            w.passes(), w.seconds(), w.firstMillis(), w.settledMillis(), w.allocatedBytesPerPass());
        if (threads == threadCounts[0]) {
          long params = floatParams(c);
          System.out.printf(Locale.ROOT, "memory: weight matrices %.2f MB; everything the prepared model holds %.2f MB;"
              + " FP32 model %d params = %.2f MB -> weights 1/%.1f, all 1/%.1f; buffers %.1f MB (max micro-batch %d)%n",
              engine.weightBytes() / 1e6, engine.modelBytes() / 1e6, params, params * 4 / 1e6,
              params * 4.0 / engine.weightBytes(), params * 4.0 / engine.modelBytes(), engine.workspaceBytes() / 1e6,
              o.maxMicroBatch());
        }
        for (int batch : batches) {
          double idle = awaitQuiet(quiet, 300);
          System.out.printf(Locale.ROOT, "(machine %.0f%% idle before this configuration)%n", 100 * idle);
          Stats s = measure("int-engine W4A4", (x, n) -> engine.forward(x, n), threads, engine.imageFloats(), batch,
              rounds, seconds);
          all.add(s);
          System.out.println(s.line());
        }
      }
      if (profile) {
        try (IntDeit engine = IntDeit.load(dir, o.withProfile(true))) {
          engine.warmUp();
          for (int batch : new int[] {1, 8}) {
            awaitQuiet(quiet, 300);
            engine.profile();
            measure("profile", (x, n) -> engine.forward(x, n), threads, engine.imageFloats(), batch, 1, seconds);
            printProfile(engine.profile(), batch, macs);
          }
        }
      }
    }
    System.out.println("\n== summary");
    all.forEach(s -> System.out.println(s.line()));
  }

  static void printProfile(OpProfile p, int batch, long[] macs) {
    double per = p.images();
    System.out.printf(Locale.ROOT, "profile threads %d batch %d (%d images, wall %.2f ms/img): thread-ms per image:",
        p.threads(), batch, p.images(), p.wallMillis() / per);
    for (OpClass c : OpClass.values()) {
      System.out.printf(Locale.ROOT, " %s %.2f (%.0f%%)", c.name().toLowerCase(Locale.ROOT), p.millis().get(c) / per,
          100 * p.millis().get(c) / (p.threads() * p.wallMillis()));
    }
    System.out.printf(Locale.ROOT, " idle/hand-off %.2f (%.0f%%)%n", p.idleMillis() / per,
        100 * p.idleMillis() / (p.threads() * p.wallMillis()));
    double linearMs = p.millis().get(OpClass.LINEAR) / per;
    double attentionMs = p.millis().get(OpClass.ATTENTION) / per;
    System.out.printf(Locale.ROOT, "  GEMM rate per busy thread: linears %.0f GOPS (%.2f GOP/img), attention products"
        + " %.0f GOPS incl. packing (%.2f GOP/img)%n", 2.0 * macs[0] / (linearMs * 1e6), 2.0 * macs[0] / 1e9,
        2.0 * macs[1] / (attentionMs * 1e6), 2.0 * macs[1] / 1e9);
  }
}
