package dev.vvtq.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.vvtq.qat.distributed.GradientAverager;
import dev.vvtq.qat.distributed.Launch;
import dev.vvtq.qat.distributed.ProcessGroup;
import dev.vvtq.qat.distributed.RankThreads;
import dev.vvtq.qat.loss.BinRegularizer;
import dev.vvtq.qat.loss.SoftCrossEntropy;
import dev.vvtq.qat.model.DeitConfig;
import dev.vvtq.qat.model.DeitModels;
import dev.vvtq.qat.model.QuantDeit;
import dev.vvtq.qat.model.QuantizerInit;
import dev.vvtq.qat.nn.ForwardContext;
import dev.vvtq.qat.nn.Param;
import dev.vvtq.qat.nn.TorchArrays;
import dev.vvtq.qat.train.AdamW;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A W4A4 (+ bin regulariser) training step of data-parallel training split into forward, backward,
 * gradient all-reduce and AdamW, at the world size mpirun gives (1 without it), for one global
 * batch; then the in-place all-reduce alone on a buffer of the model's gradient size (GB/s).
 *
 * <p>Usage: {@code [mpirun -np N --bind-to none] java ... DataParallelStepBenchmark [model] [globalBatch]
 * [--steps N] [--warmup N] [--allreduce-reps N] [--allreduce-only]}; default {@code deit_tiny_patch16_224 16}.
 */
public final class DataParallelStepBenchmark {
  private DataParallelStepBenchmark() {}

  public static void main(String[] args) {
    String model = "deit_tiny_patch16_224";
    int global = 16;
    int steps = 6;
    int warmup = 2;
    int reps = 20;
    int positional = 0;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--steps" -> steps = Integer.parseInt(args[++i]);
        case "--warmup" -> warmup = Integer.parseInt(args[++i]);
        case "--allreduce-reps" -> reps = Integer.parseInt(args[++i]);
        case "--allreduce-only" -> steps = 0;
        default -> {
          if (positional++ == 0) {
            model = args[i];
          } else {
            global = Integer.parseInt(args[i]);
          }
        }
      }
    }
    Launch launch = Launch.fromEnvironment();
    RankThreads.apply(launch);
    ProcessGroup group = launch.openGroup();
    try {
      run(group, model, global, steps, warmup, reps);
    } finally {
      group.close();
    }
  }

  private static void run(ProcessGroup group, String name, int global, int steps, int warmup, int reps) {
    int batch = global / group.size();
    DeitConfig c = DeitModels.get(name, 4, 4);
    Engine.getInstance();
    if (group.isRoot()) {
      System.out.printf(Locale.ROOT, "DataParallelStepBenchmark: %s W4A4+reg, global batch %d = %d ranks x %d, %d warm-up"
              + " + %d measured steps, %d cores seen per rank, torch intra-op threads %d, OMP_WAIT_POLICY=%s%n", name, global,
          group.size(), batch, warmup, steps, Runtime.getRuntime().availableProcessors(),
          ai.djl.pytorch.jni.JniUtils.getNumThreads(), System.getenv("OMP_WAIT_POLICY"));
    }
    SplittableRandom r = new SplittableRandom(1 + group.rank());
    float[] pixels = new float[batch * 3 * c.imgSize() * c.imgSize()];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (float) (r.nextDouble() * 4 - 2);
    }
    float[] targets = new float[batch * c.numClasses()];
    for (int b = 0; b < batch; b++) {
      targets[b * c.numClasses() + r.nextInt(c.numClasses())] = 1f;
    }
    double[][] t = new double[6][steps];
    long gradientBytes = 0;
    GradientAverager averager = new GradientAverager(group);
    try (NDManager root = NDManager.newBaseManager(); QuantDeit model = QuantDeit.create(c, root, 1)) {
      QuantizerInit.initWeightSteps(model);
      try (NDManager m = root.newSubManager()) {
        QuantizerInit.initActivationSteps(model, TorchArrays.create(m, pixels, new Shape(batch, 3, c.imgSize(), c.imgSize())));
      }
      for (Param p : model.namedParameters().values()) {
        gradientBytes += p.shape().size() * Float.BYTES;
      }
      try (AdamW optimizer = AdamW.withDefaults(model.namedParameters(), root, 1e-4)) {
        for (int s = 0; s < warmup + steps; s++) {
          group.barrier();
          try (NDManager step = root.newSubManager()) {
            model.attachParametersTo(step);
            NDArray x = TorchArrays.create(step, pixels, new Shape(batch, 3, c.imgSize(), c.imgSize()));
            NDArray y = TorchArrays.create(step, targets, new Shape(batch, c.numClasses()));
            optimizer.zeroGradients();
            long t0 = System.nanoTime();
            long t1;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
              ForwardContext ctx = ForwardContext.training(step, s, true).batchShardOf(group.size());
              NDArray loss = SoftCrossEntropy.loss(model.forward(x, ctx), y);
              BinRegularizer.Term reg = BinRegularizer.of(ctx.quantizedWeights(), step);
              loss = loss.add(reg.gradientCarrier().mul(TorchArrays.scalar(step, 0.01f)));
              loss.getFloat();
              t1 = System.nanoTime();
              gc.backward(loss);
            }
            long t2 = System.nanoTime();
            // Waiting for the slower rank is timed apart from the reduction itself.
            group.barrier();
            long tw = System.nanoTime();
            averager.synchronize(model.namedParameters().values());
            long t3 = System.nanoTime();
            optimizer.step(1e-4);
            long t4 = System.nanoTime();
            if (s >= warmup) {
              int k = s - warmup;
              t[0][k] = (t4 - t0) / 1e6;
              t[1][k] = (t1 - t0) / 1e6;
              t[2][k] = (t2 - t1) / 1e6;
              t[3][k] = (t3 - tw) / 1e6;
              t[5][k] = (tw - t2) / 1e6;
              t[4][k] = (t4 - t3) / 1e6;
            }
          }
        }
      }
    }
    if (group.isRoot() && steps > 0) {
      System.out.printf(Locale.ROOT, "step (median ms, rank 0): total %.1f  forward %.1f  backward %.1f  wait-for-ranks %.1f"
              + "  allreduce %.1f  AdamW %.1f  | %.1f images/s over all ranks, allreduce %.1f%% of the step%n", median(t[0]),
          median(t[1]), median(t[2]), median(t[5]), median(t[3]), median(t[4]), global * 1000 / median(t[0]),
          100 * median(t[3]) / median(t[0]));
    }
    if (group.size() > 1) {
      ByteBuffer buf = ByteBuffer.allocateDirect(Math.toIntExact(gradientBytes)).order(ByteOrder.nativeOrder());
      double[] ms = new double[reps];
      for (int i = 0; i < reps + 2; i++) {
        group.barrier();
        long a = System.nanoTime();
        group.sumFloatsInPlace(buf.clear());
        long b = System.nanoTime();
        if (i >= 2) {
          ms[i - 2] = (b - a) / 1e6;
        }
      }
      if (group.isRoot()) {
        double med = median(ms);
        System.out.printf(Locale.ROOT, "allreduce in place, %d floats (%.1f MB, the model's gradients): median %.2f ms,"
                + " min %.2f ms, %.2f GB/s (bytes / time)%n", gradientBytes / 4, gradientBytes / 1e6, med,
            Arrays.stream(ms).min().orElse(0), gradientBytes / med / 1e6);
      }
    }
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }
}
