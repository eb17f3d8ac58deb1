package dev.vvtq.bench;

import ai.djl.ndarray.NDManager;
import dev.vvtq.imaging.TrainingTransform;
import dev.vvtq.qat.data.Batch;
import dev.vvtq.qat.data.DataLoader;
import dev.vvtq.qat.data.DecodedImageCache;
import dev.vvtq.qat.data.FashionMnistImporter;
import dev.vvtq.qat.data.ImageFolder;
import dev.vvtq.qat.data.ImageFolderSource;
import dev.vvtq.qat.data.LoaderOptions;
import dev.vvtq.qat.data.ProgressListener;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;

/**
 * Images per second of the training data loader (RandomResizedCrop + flip + normalise, batches as
 * DJL NDArrays): (1) Fashion-MNIST at 32x32 from the real data, imported with the project's
 * importer; (2) 224x224 from a few hundred synthetic ~400x350 JPEGs. Usage: {@code LoaderBenchmark
 * [fmnist|jpeg|all] [--work DIR]}.
 */
public final class LoaderBenchmark {
  private LoaderBenchmark() {}

  public static void main(String[] args) throws IOException {
    String which = "all";
    Path work = Path.of("bench/target/bench-work");
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--work")) {
        work = Path.of(args[++i]);
      } else {
        which = args[i];
      }
    }
    System.out.printf(Locale.ROOT, "machine: %d available processors, %s %s, max heap %d MiB%n",
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"), Runtime.version(),
        Runtime.getRuntime().maxMemory() >> 20);
    try (NDManager manager = NDManager.newBaseManager()) {
      if (which.equals("all") || which.equals("fmnist")) {
        fashionMnist(work, manager);
      }
      if (which.equals("all") || which.equals("jpeg")) {
        jpeg(work, manager);
      }
    }
  }

  private static void fashionMnist(Path work, NDManager manager) throws IOException {
    Path data = work.resolve("fashion-mnist");
    new FashionMnistImporter(ProgressListener.NONE, System.out::println).importTo(data, null);
    ImageFolder train = ImageFolder.split(data, "train");
    System.out.println();
    System.out.println("== (1) Fashion-MNIST train (" + train.size() + " PNGs 28x28), input 32, RandomResizedCrop(0.08-1, 3/4-4/3) + flip + normalise");
    DecodedImageCache cache = new DecodedImageCache(train.size(), 512L << 20);
    for (int workers : new int[] {2, 1, 2}) {
      LoaderOptions options = LoaderOptions.training(256, workers, 42);
      ImageFolderSource source = ImageFolderSource.training(train, TrainingTransform.imagenet(32), cache);
      try (DataLoader loader = new DataLoader(source, options)) {
        if (cache.usedBytes() == 0) {
          measure("epoch 0, decoded-image cache cold (PNG decode + transform)", loader, 0, manager);
        }
        measure("epochs 1-2, cache warm", loader, 1, manager, 2);
      }
    }
    ImageFolderSource uncached = ImageFolderSource.training(train, TrainingTransform.imagenet(32), null);
    try (DataLoader loader = new DataLoader(uncached, LoaderOptions.training(256, 2, 42))) {
      measure("epoch 3, no cache (PNG decode every time)", loader, 3, manager);
    }
  }

  private static void jpeg(Path work, NDManager manager) throws IOException {
    Path data = work.resolve("jpeg-400x350");
    int images = 300;
    if (!Files.isDirectory(data)) {
      writeJpegs(data, images);
    }
    ImageFolder train = ImageFolder.open(data);
    System.out.println();
    System.out.println("== (2) " + train.size() + " random-content JPEGs ~400x350 (quality 0.75), input 224, RandomResizedCrop + flip + normalise, no cache");
    for (int workers : new int[] {2, 1, 2}) {
      LoaderOptions options = LoaderOptions.training(32, workers, 7);
      ImageFolderSource source = ImageFolderSource.training(train, TrainingTransform.imagenet(224), null);
      try (DataLoader loader = new DataLoader(source, options)) {
        measure("epoch 0 (warm-up)", loader, 0, manager);
        measure("epochs 1-2", loader, 1, manager, 2);
      }
    }
  }

  private static void measure(String what, DataLoader loader, int epoch, NDManager manager) {
    measure(what, loader, epoch, manager, 1);
  }

  private static void measure(String what, DataLoader loader, int firstEpoch, NDManager manager, int epochs) {
    long samples = 0;
    long start = System.nanoTime();
    for (int e = firstEpoch; e < firstEpoch + epochs; e++) {
      try (NDManager m = manager.newSubManager(); DataLoader.EpochIterator it = loader.epoch(e, m)) {
        while (it.hasNext()) {
          try (Batch b = it.next()) {
            samples += b.size();
          }
        }
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    LoaderOptions o = loader.options();
    System.out.printf(Locale.ROOT, "  workers=%d prefetch=%d batch=%d drop_last=%s | %-58s %7d images in %6.2f s = %8.1f images/s%n",
        o.workers(), o.prefetch(), o.batchSize(), o.dropLast(), what, samples, seconds, samples / seconds);
  }

  /** Smooth random colour fields plus noise: compresses like a photo, not like flat colour. */
  private static void writeJpegs(Path root, int count) throws IOException {
    SplittableRandom random = new SplittableRandom(2024);
    for (int i = 0; i < count; i++) {
      int w = 380 + random.nextInt(41);
      int h = 330 + random.nextInt(41);
      BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
      double[] f = new double[9];
      for (int k = 0; k < f.length; k++) {
        f[k] = random.nextDouble() * 0.05;
      }
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          int r = clamp(128 + 90 * Math.sin(f[0] * x + f[1] * y + f[2] * 40) + random.nextInt(41) - 20);
          int g = clamp(128 + 90 * Math.sin(f[3] * x - f[4] * y + f[5] * 40) + random.nextInt(41) - 20);
          int b = clamp(128 + 90 * Math.cos(f[6] * x + f[7] * y + f[8] * 40) + random.nextInt(41) - 20);
          img.setRGB(x, y, r << 16 | g << 8 | b);
        }
      }
      Path file = root.resolve("class" + (i % 10)).resolve(String.format("%04d.jpg", i));
      Files.createDirectories(file.getParent());
      ImageIO.write(img, "jpg", file.toFile());
    }
  }

  private static int clamp(double v) {
    return (int) Math.max(0, Math.min(255, v));
  }
}
