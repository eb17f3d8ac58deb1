package dev.vvtq.engineeval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.vvtq.artifacts.store.ArtifactLayout;
import dev.vvtq.artifacts.store.LocalFolderStore;
import dev.vvtq.imaging.EvalPreprocessor;
import dev.vvtq.imaging.RgbImage;
import dev.vvtq.qat.export.IntegerModelExporter;
import dev.vvtq.qat.model.DeitConfig;
import dev.vvtq.qat.model.IntegerModelView;
import dev.vvtq.qat.model.QuantDeit;
import dev.vvtq.qat.model.QuantizerInit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Random-weight quantized models made the way training makes them before the first step (seeded
 * initialisation, weight steps by the MSE fixed point, activation steps by one evaluation forward over
 * calibration images), synthetic images to feed them, and their export: what the engine checks and
 * benchmarks run on when no trained model is at hand.
 */
public final class CalibratedModels {
  private CalibratedModels() {}

  /**
   * {@code count} synthetic photographs-ish images of {@code width x height}: a smooth colour gradient,
   * a few bright rectangles and pixel noise, so that resizing, cropping and attention see structure.
   */
  public static List<RgbImage> images(int count, int width, int height, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<RgbImage> out = new ArrayList<>(count);
    for (int n = 0; n < count; n++) {
      RgbImage img = RgbImage.blank(width, height);
      int[] base = {r.nextInt(256), r.nextInt(256), r.nextInt(256)};
      int[] gx = {r.nextInt(-120, 121), r.nextInt(-120, 121), r.nextInt(-120, 121)};
      int[] gy = {r.nextInt(-120, 121), r.nextInt(-120, 121), r.nextInt(-120, 121)};
      int rects = 1 + r.nextInt(4);
      int[][] box = new int[rects][7];
      for (int k = 0; k < rects; k++) {
        int x0 = r.nextInt(width);
        int y0 = r.nextInt(height);
        box[k] = new int[] {x0, y0, x0 + 1 + r.nextInt(Math.max(1, width / 2)), y0 + 1 + r.nextInt(Math.max(1, height / 2)),
            r.nextInt(256), r.nextInt(256), r.nextInt(256)};
      }
      for (int y = 0; y < height; y++) {
        for (int x = 0; x < width; x++) {
          int inside = -1;
          for (int k = 0; k < rects; k++) {
            if (x >= box[k][0] && x < box[k][2] && y >= box[k][1] && y < box[k][3]) {
              inside = k;
            }
          }
          for (int c = 0; c < 3; c++) {
            int v = inside >= 0 ? box[inside][4 + c]
                : base[c] + gx[c] * x / Math.max(1, width) + gy[c] * y / Math.max(1, height);
            v += r.nextInt(-12, 13);
            img.set(x, y, c, Math.max(0, Math.min(255, v)));
          }
        }
      }
      out.add(img);
    }
    return out;
  }

  /** {@code images} preprocessed one after another into one array ({@code images.size() x C x H x W}). */
  public static float[] preprocess(List<RgbImage> images, EvalPreprocessor pre) {
    int per = 3 * pre.inputSize() * pre.inputSize();
    float[] out = new float[images.size() * per];
    for (int i = 0; i < images.size(); i++) {
      pre.preprocess(images.get(i), out, i * per);
    }
    return out;
  }

  /**
   * A model of {@code config} with weights drawn from {@code seed} (the model's own initialisers: timm's
   * truncated normal, std 0.02) multiplied by {@code weightScale} (1 = as initialised; larger spreads
   * attention and logits as trained weights do), weight steps initialised, and activation steps
   * calibrated on {@code calibration} ({@code count} normalised images). Float models are returned
   * without calibration.
   */
  public static QuantDeit random(DeitConfig config, long seed, double weightScale, float[] calibration, int count,
      NDManager manager) {
    QuantDeit model = QuantDeit.create(config, manager, seed);
    try {
      if (weightScale != 1) {
        scaleWeights(model, weightScale);
      }
      calibrate(model, calibration, count);
      return model;
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
  }

  /** Multiplies every linear and convolution weight (not biases, norms or embeddings) by {@code factor}. */
  public static void scaleWeights(QuantDeit model, double factor) {
    model.weightLayers().values().forEach(l -> {
      float[] w = l.weight().values();
      for (int i = 0; i < w.length; i++) {
        w[i] = (float) (w[i] * factor);
      }
      l.weight().assign(w);
    });
  }

  /** Weight steps by the MSE fixed point, then activation steps from one evaluation forward (quantized models only). */
  public static void calibrate(QuantDeit model, float[] calibration, int count) {
    if (!model.config().quantized()) {
      return;
    }
    DeitConfig c = model.config();
    QuantizerInit.initWeightSteps(model);
    try (NDManager m = model.manager().newSubManager()) {
      float[] batch = java.util.Arrays.copyOf(calibration, count * c.inChans() * c.imgSize() * c.imgSize());
      NDArray x = m.create(batch, new Shape(count, c.inChans(), c.imgSize(), c.imgSize()));
      QuantizerInit.initActivationSteps(model, x);
    }
  }

  /**
   * Gives every activation quantizer with an offset a non-zero one, as training learns them (they start
   * at 0): {@code mlp.quant2} (unsigned, after GELU) about -0.17, GELU's minimum, so that the negative
   * tail stays representable; the signed linear-input quantizers ({@code --use-offset}) a shift of up to
   * one and a half steps either way. Drawn from {@code seed}.
   */
  public static void randomOffsets(QuantDeit model, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    model.activationQuantizers().values().forEach(q -> {
      if (q.hasOffset()) {
        float step = q.clampedSteps()[0];
        float beta = q.range().signed() ? (float) ((r.nextDouble() * 3 - 1.5) * step)
            : (float) (-0.17 + (r.nextDouble() - 0.5) * 0.05);
        q.beta().assign(new float[] {beta});
      }
    });
  }

  /** Class names {@code class0, class1, ...} for a model without a dataset. */
  public static List<String> classNames(int classes) {
    return IntStream.range(0, classes).mapToObj(i -> "class" + i).toList();
  }

  /**
   * Exports {@code model} with {@link IntegerModelExporter} into {@code storeRoot} as {@code
   * models/<name>/<version>} (a local folder store) and returns the model folder.
   */
  public static Path export(QuantDeit model, List<String> classNames, Path storeRoot, String name, String version)
      throws IOException {
    Files.createDirectories(storeRoot);
    String prefix = ArtifactLayout.model(name, version);
    try (LocalFolderStore store = new LocalFolderStore(storeRoot)) {
      IntegerModelExporter.publish(IntegerModelView.of(model), classNames, store, prefix, "random seeded " + name);
    }
    return storeRoot.resolve(prefix);
  }
}
