package dev.vvtq.bench;

import ai.djl.ndarray.NDManager;
import dev.vvtq.artifacts.manifest.Sha256;
import dev.vvtq.artifacts.store.ArtifactStore;
import dev.vvtq.artifacts.store.ArtifactStores;
import dev.vvtq.engine.EngineOptions;
import dev.vvtq.engine.IntDeit;
import dev.vvtq.engine.model.ExportedModel;
import dev.vvtq.engine.testing.ReferenceDeit;
import dev.vvtq.engine.testing.SyntheticModel;
import dev.vvtq.engineeval.CalibratedModels;
import dev.vvtq.engineeval.EngineEvaluation;
import dev.vvtq.engineeval.ExportedModels;
import dev.vvtq.engineeval.FakeQuantForward;
import dev.vvtq.engineeval.LogitAgreement;
import dev.vvtq.imaging.EvalPreprocessor;
import dev.vvtq.imaging.RgbImage;
import dev.vvtq.qat.checkpoint.CheckpointRepository;
import dev.vvtq.qat.checkpoint.LoadedCheckpoint;
import dev.vvtq.qat.checkpoint.ModelWeights;
import dev.vvtq.qat.data.ImageFolder;
import dev.vvtq.qat.export.IntegerModelExporter;
import dev.vvtq.qat.model.DeitConfig;
import dev.vvtq.qat.model.DeitModels;
import dev.vvtq.qat.model.IntegerModelView;
import dev.vvtq.qat.model.QuantDeit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The int-engine against the DJL fake-quantized model it was exported from, on the same images:
 * per image the largest logit difference relative to the DJL logit range, top-1 agreement, and the
 * top-1 accuracy of each. Two parts:
 *
 * <ol>
 *   <li>a trained model: a QAT checkpoint (DJL, evaluation mode) against its export (IntDeit) over a
 *       whole ImageFolder split, each with its own evaluation preprocessing (checked to be identical);
 *   <li>random-weight {@code deit_tiny_patch16_224} W4A4 models (seeded, calibrated as training
 *       initialises them, exported with IntegerModelExporter) over synthetic images.
 * </ol>
 *
 * <p>Every image outside the per-image bound is run a third time through int-engine's double-precision
 * reference of docs/EXPORT-FORMAT.md (test sources, hence this class lives in bench's test sources),
 * which says which side left the exact result and whether a quantizer input lay within 1e-5 of a
 * rounding boundary (where float32 may round either way).
 *
 * <p>Usage: {@code EngineAgreementCheck [store=/work/fmnist/artifacts] [checkpoint=runs/fmnist-w4a4-quick@best]
 * [model=models/fmnist-w4a4/1] [data=/tmp/pq/fashion-mnist] [split=val] [limit=0] [batch=250] [threads=2]
 * [random=32] [scales=1,4] [seed=5]} ({@code checkpoint=} empty skips part 1, {@code random=0} part 2).
 */
public final class EngineAgreementCheck {
  /** The goals: max |diff| <= 1e-3 x logit range, top-1 agreement >= 99.9 %, top-1 within 0.05 points. */
  static final double MAX_RELATIVE = 1e-3;
  static final double MIN_AGREEMENT = 99.9;
  static final double MAX_TOP1_GAP = 0.05;

  /** Relative distance to a rounding boundary counted as a near-tie. */
  static final double TIE = 1e-5;

  private EngineAgreementCheck() {}

  /** An image outside the per-image bound, with its images and both sides' logits. */
  record Outlier(int index, float[] image, float[] djl, float[] engine) {}

  public static void main(String[] args) throws Exception {
    String storeLocation = EngineBenchmark.arg(args, "store", "/work/fmnist/artifacts");
    String checkpoint = EngineBenchmark.arg(args, "checkpoint", "runs/fmnist-w4a4-quick@best");
    String modelRef = EngineBenchmark.arg(args, "model", "models/fmnist-w4a4/1");
    Path data = Path.of(EngineBenchmark.arg(args, "data", "/tmp/pq/fashion-mnist"));
    String split = EngineBenchmark.arg(args, "split", "val");
    int limit = Integer.parseInt(EngineBenchmark.arg(args, "limit", "0"));
    int batch = Integer.parseInt(EngineBenchmark.arg(args, "batch", "250"));
    int threads = Integer.parseInt(EngineBenchmark.arg(args, "threads", "2"));
    int random = Integer.parseInt(EngineBenchmark.arg(args, "random", "32"));
    double[] scales = Arrays.stream(EngineBenchmark.arg(args, "scales", "1,4").split(",")).mapToDouble(Double::parseDouble).toArray();
    long seed = Long.parseLong(EngineBenchmark.arg(args, "seed", "5"));

    System.out.println("== int-engine vs DJL fake-quant");
    System.out.printf(Locale.ROOT, "machine: %s, %d cores visible; JDK %s (%s)%n", EngineBenchmark.cpuModel(),
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), System.getProperty("java.vm.name"));
    System.out.printf(Locale.ROOT, "goals: max |diff| <= %.0e x logit range per image, top-1 agreement >= %.1f %%,"
        + " top-1 accuracy within %.2f points%n", MAX_RELATIVE, MIN_AGREEMENT, MAX_TOP1_GAP);
    boolean ok = true;
    if (!checkpoint.isEmpty()) {
      ok &= trained(storeLocation, checkpoint, modelRef, data, split, limit, batch, threads);
    }
    for (double scale : scales) {
      if (random > 0) {
        ok &= randomDeitTiny(random, scale, seed, threads);
      }
    }
    System.out.println(ok ? "\nall goals met" : "\nsome goals NOT met (see above)");
  }

  /** Part 1: a trained checkpoint on DJL against its export on the engine, over a whole split. */
  static boolean trained(String storeLocation, String checkpoint, String modelRef, Path data, String split, int limit,
      int batch, int threads) throws Exception {
    Path scratch = Files.createTempDirectory("engine-check-");
    try (ArtifactStore store = ArtifactStores.open(storeLocation); NDManager root = NDManager.newBaseManager()) {
      LoadedCheckpoint c = CheckpointRepository.resolve(store, checkpoint, scratch);
      Path modelDir = ExportedModels.resolve(modelRef, store, scratch);
      ExportedModel exported = ExportedModel.load(modelDir);
      ImageFolder folder = ImageFolder.split(data, split);
      try (QuantDeit model = ModelWeights.load(c.modelFile(), root);
          IntDeit engine = IntDeit.of(exported, EngineOptions.defaults().withThreads(threads))) {
        DeitConfig cfg = model.config();
        System.out.printf(Locale.ROOT, "%n-- trained model: checkpoint %s (%s %s) on DJL vs export %s on the engine"
            + " (%s kernels, %d threads), %s/%s%n", checkpoint, cfg.name(), cfg.bitsLabel(), modelRef,
            engine.kernelsName(), threads, folder.root().getParent(), split);
        Path fresh = scratch.resolve("fresh.safetensors");
        IntegerModelExporter.writer(IntegerModelView.of(model), exported.classNames()).writeTo(fresh);
        String freshSha = Sha256.hex(fresh);
        System.out.printf(Locale.ROOT, "export is the checkpoint's: a fresh export of the checkpoint has sha256 %s,"
            + " the stored export %s (%s)%n", freshSha, exported.sha256(),
            freshSha.equals(exported.sha256()) ? "identical" : "DIFFERENT");
        EvalPreprocessor djlPre = cfg.evalPreprocessor();
        EvalPreprocessor enginePre = EngineEvaluation.preprocessor(exported);
        int n = limit > 0 ? Math.min(limit, folder.size()) : folder.size();
        int per = engine.imageFloats();
        int classes = cfg.numClasses();
        LogitAgreement agreement = new LogitAgreement(classes);
        double[] relative = new double[n];
        List<Outlier> outliers = new ArrayList<>();
        long inputMismatches = 0;
        double djlSeconds = 0;
        double engineSeconds = 0;
        float[] x = new float[batch * per];
        float[] xe = new float[batch * per];
        float[] logits = new float[batch * classes];
        for (int first = 0; first < n; first += batch) {
          int count = Math.min(batch, n - first);
          int[] labels = new int[count];
          for (int i = 0; i < count; i++) {
            int idx = limit > 0 ? (int) ((long) (first + i) * folder.size() / n) : first + i;
            RgbImage img = folder.load(idx);
            djlPre.preprocess(img, x, i * per);
            enginePre.preprocess(img, xe, i * per);
            if (!Arrays.equals(x, i * per, (i + 1) * per, xe, i * per, (i + 1) * per)) {
              inputMismatches++;
            }
            labels[i] = folder.entry(idx).label();
          }
          long t0 = System.nanoTime();
          float[] djl = FakeQuantForward.logits(model, x, count);
          long t1 = System.nanoTime();
          engine.forward(xe, 0, count, logits, 0);
          long t2 = System.nanoTime();
          djlSeconds += (t1 - t0) / 1e9;
          engineSeconds += (t2 - t1) / 1e9;
          perImage(first, count, xe, per, djl, logits, classes, relative, outliers);
          agreement.add(djl, logits, count, labels);
        }
        System.out.printf(Locale.ROOT, "inputs: %d images preprocessed by the checkpoint's config (img %d, crop_pct %s)"
            + " and by the export's metadata (crop_pct %s, mean %s, std %s): %d differ%n", n, cfg.imgSize(),
            cfg.cropPct(), exported.cropPct(), Arrays.toString(exported.mean()), Arrays.toString(exported.std()),
            inputMismatches);
        System.out.printf(Locale.ROOT, "forward time: DJL %.1f s, engine %.1f s%n", djlSeconds, engineSeconds);
        boolean ok = report(agreement, relative, true);
        explain(exported, outliers);
        return ok;
      }
    }
  }

  /** Part 2: a seeded random deit_tiny W4A4, calibrated on 8 synthetic images, over {@code count} others. */
  static boolean randomDeitTiny(int count, double scale, long seed, int threads) throws Exception {
    DeitConfig c = DeitModels.get("deit_tiny_patch16_224", 4, 4);
    int calibrate = 8;
    List<RgbImage> raw = CalibratedModels.images(calibrate + count, 300, 260, seed + 1);
    Path scratch = Files.createTempDirectory("engine-check-");
    long t0 = System.nanoTime();
    try (NDManager root = NDManager.newBaseManager();
        QuantDeit model = CalibratedModels.random(c, seed, scale,
            CalibratedModels.preprocess(raw.subList(0, calibrate), c.evalPreprocessor()), calibrate, root)) {
      CalibratedModels.randomOffsets(model, seed + 2);
      Path dir = CalibratedModels.export(model, CalibratedModels.classNames(c.numClasses()), scratch, c.name(), "1");
      ExportedModel exported = ExportedModel.load(dir);
      System.out.printf(Locale.ROOT, "%n-- random-weight %s %s, seed %d, initial weights x %s, activation steps"
          + " calibrated on %d synthetic images; %d other synthetic images (built and exported in %.1f s)%n", c.name(),
          c.bitsLabel(), seed, scale, calibrate, count, (System.nanoTime() - t0) / 1e9);
      float[] x = CalibratedModels.preprocess(raw.subList(calibrate, calibrate + count),
          EngineEvaluation.preprocessor(exported));
      LogitAgreement agreement = new LogitAgreement(c.numClasses());
      double[] relative = new double[count];
      List<Outlier> outliers = new ArrayList<>();
      try (IntDeit engine = IntDeit.of(exported, EngineOptions.defaults().withThreads(threads))) {
        int per = engine.imageFloats();
        int k = c.numClasses();
        for (int first = 0; first < count; first += 8) {
          int n = Math.min(8, count - first);
          float[] part = Arrays.copyOfRange(x, first * per, (first + n) * per);
          float[] djl = FakeQuantForward.logits(model, part, n);
          float[] eng = engine.forward(part, n);
          perImage(first, n, part, per, djl, eng, k, relative, outliers);
          agreement.add(djl, eng, n, null);
        }
      }
      boolean ok = report(agreement, relative, false);
      explain(exported, outliers);
      return ok;
    }
  }

  /**
   * Runs each outlier through the double-precision reference: which side left the exact logits (by
   * more than the bound), and how many quantizer inputs lay within {@link #TIE} of a rounding boundary.
   */
  static void explain(ExportedModel exported, List<Outlier> outliers) {
    if (outliers.isEmpty()) {
      return;
    }
    long t0 = System.nanoTime();
    ReferenceDeit reference = new ReferenceDeit(SyntheticModel.of(exported));
    int djlOff = 0;
    int engineOff = 0;
    int bothOff = 0;
    int withoutTie = 0;
    Map<String, Integer> tieSites = new TreeMap<>();
    for (Outlier o : outliers) {
      reference.countingNearTies(TIE);
      double[] exact = reference.logits(o.image());
      float[] r = new float[exact.length];
      for (int j = 0; j < r.length; j++) {
        r[j] = (float) exact[j];
      }
      boolean djlExact = close(r, o.djl());
      boolean engineExact = close(r, o.engine());
      djlOff += !djlExact && engineExact ? 1 : 0;
      engineOff += djlExact && !engineExact ? 1 : 0;
      bothOff += !djlExact && !engineExact ? 1 : 0;
      Map<String, Integer> ties = reference.nearTies();
      withoutTie += ties.isEmpty() ? 1 : 0;
      ties.keySet().forEach(q -> tieSites.merge(q.replaceFirst("^blocks\\.\\d+\\.", "blocks.*."), 1, Integer::sum));
    }
    System.out.printf(Locale.ROOT, "outside the bound, against the exact (double) reference: %d images; DJL left it in"
        + " %d, the engine in %d, both in %d; images without a quantizer input within %.0e of a rounding boundary: %d"
        + " (reference run in %.1f s)%n", outliers.size(), djlOff, engineOff, bothOff, TIE, withoutTie,
        (System.nanoTime() - t0) / 1e9);
    System.out.println("near-ties on those images, by quantizer kind (sum over images of the blocks where that quantizer had one): " + tieSites);
  }

  /**
   * Per image of a batch whose first image is number {@code first}: its relative difference into
   * {@code relative}, and, when outside the bound or with another top-1 class, an {@link Outlier}.
   */
  static void perImage(int first, int count, float[] images, int per, float[] djl, float[] engine, int classes,
      double[] relative, List<Outlier> outliers) {
    for (int i = 0; i < count; i++) {
      float[] d = Arrays.copyOfRange(djl, i * classes, (i + 1) * classes);
      float[] e = Arrays.copyOfRange(engine, i * classes, (i + 1) * classes);
      relative[first + i] = LogitAgreement.relativeDiff(d, e);
      if (!close(d, e)) {
        outliers.add(new Outlier(first + i, Arrays.copyOfRange(images, i * per, (i + 1) * per), d, e));
      }
    }
  }

  static boolean close(float[] reference, float[] other) {
    return LogitAgreement.relativeDiff(reference, other) <= MAX_RELATIVE
        && LogitAgreement.argmax(reference) == LogitAgreement.argmax(other);
  }

  static boolean report(LogitAgreement a, double[] relative, boolean labelled) {
    System.out.println("DJL (reference) vs engine: " + a.summary());
    double[] sorted = relative.clone();
    Arrays.sort(sorted);
    long over = Arrays.stream(relative).filter(r -> r > MAX_RELATIVE).count();
    long over6 = Arrays.stream(relative).filter(r -> r > 1e-6).count();
    System.out.printf(Locale.ROOT, "per-image max |diff| / range: median %.3g, p99 %.3g, max %.3g; images above 1e-6: %d,"
        + " above %.0e: %d of %d%n", sorted[sorted.length / 2], sorted[(int) Math.min(sorted.length - 1,
        Math.ceil(sorted.length * 0.99) - 1)], sorted[sorted.length - 1], over6, MAX_RELATIVE, over, relative.length);
    boolean diffOk = a.worstRelativeDiff() <= MAX_RELATIVE;
    boolean agreeOk = a.top1AgreementPercent() >= MIN_AGREEMENT;
    boolean top1Ok = !labelled || Math.abs(a.candidateTop1() - a.referenceTop1()) <= MAX_TOP1_GAP;
    System.out.printf(Locale.ROOT, "goals: max diff %s, top-1 agreement %s%s%n", diffOk ? "met" : "NOT met",
        agreeOk ? "met" : "NOT met", labelled ? ", top-1 accuracy gap " + (top1Ok ? "met" : "NOT met") : "");
    return diffOk && agreeOk && top1Ok;
  }
}
