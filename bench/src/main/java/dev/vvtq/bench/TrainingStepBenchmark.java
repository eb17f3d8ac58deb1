package dev.vvtq.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.vvtq.qat.loss.BinRegularizer;
import dev.vvtq.qat.loss.SoftCrossEntropy;
import dev.vvtq.qat.model.DeitConfig;
import dev.vvtq.qat.model.DeitModels;
import dev.vvtq.qat.model.QuantDeit;
import dev.vvtq.qat.model.QuantizerInit;
import dev.vvtq.qat.nn.ForwardContext;
import dev.vvtq.qat.nn.TorchArrays;
import dev.vvtq.qat.train.AdamW;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Training step time (forward + backward + AdamW) of a model in float, W4A4 fake-quant and W4A4 with
 * the bin regulariser, in one run, with the split into forward / backward / optimizer / regulariser.
 *
 * <p>Usage: {@code TrainingStepBenchmark [model:batch ...] [--steps N] [--warmup N]}; default
 * {@code deit_tiny_patch16_224:16 deit_nano_patch4_32:128}.
 */
public final class TrainingStepBenchmark {
  private TrainingStepBenchmark() {}

  /** Timings of one configuration, medians over the measured steps, in milliseconds. */
  record Timing(String label, double total, double forward, double regularizer, double backward, double optimizer) {}

  public static void main(String[] args) {
    List<String> cases = new ArrayList<>();
    int steps = 10;
    int warmup = 3;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--steps" -> steps = Integer.parseInt(args[++i]);
        case "--warmup" -> warmup = Integer.parseInt(args[++i]);
        default -> cases.add(args[i]);
      }
    }
    if (cases.isEmpty()) {
      cases = List.of("deit_tiny_patch16_224:16", "deit_nano_patch4_32:128");
    }
    // The engine loads libtorch lazily; touch it first so the thread count can be read.
    ai.djl.engine.Engine.getInstance();
    System.out.printf("TrainingStepBenchmark: %d warm-up + %d measured steps per configuration, %d cores, Java %s,"
            + " torch intra-op threads %s%n", warmup, steps, Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"), ai.djl.pytorch.jni.JniUtils.getNumThreads());
    for (String c : cases) {
      String[] parts = c.split(":");
      String model = parts[0];
      int batch = Integer.parseInt(parts[1]);
      Timing fp = run(model, batch, -1, false, steps, warmup);
      Timing q = run(model, batch, 4, false, steps, warmup);
      Timing qr = run(model, batch, 4, true, steps, warmup);
      System.out.printf("%n%s, batch %d (median ms per step)%n", model, batch);
      System.out.printf("%-22s %9s %9s %9s %9s %9s %10s %8s%n", "configuration", "step", "forward", "reg", "backward",
          "AdamW", "images/s", "vs FP32");
      for (Timing t : List.of(fp, q, qr)) {
        System.out.printf(Locale.ROOT, "%-22s %9.1f %9.1f %9.1f %9.1f %9.1f %10.1f %7.2fx%n", t.label(), t.total(),
            t.forward(), t.regularizer(), t.backward(), t.optimizer(), batch * 1000 / t.total(), t.total() / fp.total());
      }
    }
  }

  static Timing run(String name, int batch, int bits, boolean reg, int steps, int warmup) {
    DeitConfig c = DeitModels.get(name, bits, bits);
    SplittableRandom r = new SplittableRandom(1);
    float[] pixels = new float[batch * 3 * c.imgSize() * c.imgSize()];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (float) (r.nextDouble() * 4 - 2);
    }
    float[] targets = new float[batch * c.numClasses()];
    for (int b = 0; b < batch; b++) {
      targets[b * c.numClasses() + r.nextInt(c.numClasses())] = 1f;
    }
    double[] total = new double[steps];
    double[] fwd = new double[steps];
    double[] regT = new double[steps];
    double[] bwd = new double[steps];
    double[] opt = new double[steps];
    try (NDManager root = NDManager.newBaseManager(); QuantDeit model = QuantDeit.create(c, root, 1)) {
      if (c.quantized()) {
        QuantizerInit.initWeightSteps(model);
        try (NDManager m = root.newSubManager()) {
          QuantizerInit.initActivationSteps(model, TorchArrays.create(m, pixels, new Shape(batch, 3, c.imgSize(), c.imgSize())));
        }
      }
      try (AdamW optimizer = AdamW.withDefaults(model.namedParameters(), root, 1e-4)) {
        for (int s = 0; s < warmup + steps; s++) {
          try (NDManager step = root.newSubManager()) {
            model.attachParametersTo(step);
            NDArray x = TorchArrays.create(step, pixels, new Shape(batch, 3, c.imgSize(), c.imgSize()));
            NDArray t = TorchArrays.create(step, targets, new Shape(batch, c.numClasses()));
            optimizer.zeroGradients();
            long t0 = System.nanoTime();
            long t1;
            long t2;
            long t3;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
              ForwardContext ctx = ForwardContext.training(step, s, reg);
              NDArray loss = SoftCrossEntropy.loss(model.forward(x, ctx), t);
              loss.getFloat();
              t1 = System.nanoTime();
              if (reg) {
                BinRegularizer.Term rv = BinRegularizer.of(ctx.quantizedWeights(), step);
                loss = loss.add(rv.gradientCarrier().mul(TorchArrays.scalar(step, 0.01f)));
              }
              t2 = System.nanoTime();
              gc.backward(loss);
            }
            t3 = System.nanoTime();
            optimizer.step(1e-4);
            long t4 = System.nanoTime();
            if (s >= warmup) {
              int i = s - warmup;
              total[i] = (t4 - t0) / 1e6;
              fwd[i] = (t1 - t0) / 1e6;
              regT[i] = (t2 - t1) / 1e6;
              bwd[i] = (t3 - t2) / 1e6;
              opt[i] = (t4 - t3) / 1e6;
            }
          }
        }
      }
    }
    String label = bits < 0 ? "FP32" : reg ? "W4A4 + regulariser" : "W4A4 fake-quant";
    return new Timing(label, median(total), median(fwd), median(regT), median(bwd), median(opt));
  }

  static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }
}
