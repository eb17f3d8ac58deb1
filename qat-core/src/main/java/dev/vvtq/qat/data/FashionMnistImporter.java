package dev.vvtq.qat.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vvtq.artifacts.files.FileTree;
import dev.vvtq.artifacts.manifest.Sha256;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.function.Consumer;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Converts Fashion-MNIST's four idx files into an {@link ImageFolder} of 28x28 grayscale PNGs,
 * {@code OUT/train/<class>/NNNNN.png} and {@code OUT/val/<class>/NNNNN.png}, where the class
 * folders sort in label order ({@code 0_tshirt_top ... 9_ankle_boot}) so ImageFolder labels equal
 * the original labels, and {@code NNNNN} is the index in the idx file. The output is built in a
 * temporary sibling folder and renamed into place when complete, with {@value #MARKER} recording the
 * counts and the SHA-256 of each source file; a later run that finds that marker does nothing.
 */
public final class FashionMnistImporter {
  /** Where the Debian package {@code dataset-fashion-mnist} puts the files. */
  public static final Path DEBIAN_FOLDER = Path.of("/usr/share/datasets/fashion-mnist");
  /** The Debian package that provides {@link #DEBIAN_FOLDER}. */
  public static final String DEBIAN_PACKAGE = "dataset-fashion-mnist";
  /** Completion marker at the top of the output folder. */
  public static final String MARKER = "fashion-mnist.complete.json";
  /** Class folder names; their sorted order is the label order. */
  public static final List<String> CLASS_FOLDERS = List.of(
      "0_tshirt_top", "1_trouser", "2_pullover", "3_dress", "4_coat",
      "5_sandal", "6_shirt", "7_sneaker", "8_bag", "9_ankle_boot");

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int SIDE = 28;

  /** Which idx files make one split, and how many images it must hold. */
  private record Split(String folder, String images, String labels, int expectedCount) {}

  /** Outcome of an import. */
  public record Result(Path out, boolean alreadyComplete, int trainCount, int valCount) {}

  private final List<Split> splits;
  private final DebianPackage debianPackage;
  private final ProgressListener progress;
  private final Consumer<String> log;

  /** The real data set: 60,000 training and 10,000 validation images. */
  public FashionMnistImporter(ProgressListener progress, Consumer<String> log) {
    this(60_000, 10_000, new DebianPackage(DEBIAN_PACKAGE, DEBIAN_FOLDER), progress, log);
  }

  /** Other expected counts, for small test files. */
  FashionMnistImporter(int trainCount, int valCount, DebianPackage debianPackage, ProgressListener progress, Consumer<String> log) {
    this.splits = List.of(
        new Split("train", "train-images-idx3-ubyte", "train-labels-idx1-ubyte", trainCount),
        new Split("val", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", valCount));
    this.debianPackage = debianPackage;
    this.progress = progress;
    this.log = log;
  }

  /**
   * Imports into {@code out} from {@code source} (a folder with the four idx files, gzipped or
   * not), or from the Debian package's folder when {@code source} is null, installing it if needed.
   */
  public Result importTo(Path out, Path source) throws IOException {
    out = out.toAbsolutePath().normalize();
    Result done = existing(out);
    if (done != null) {
      log.accept(out + " already holds a complete Fashion-MNIST import (" + done.trainCount() + " train, "
          + done.valCount() + " val images, see " + MARKER + "): nothing to do");
      return done;
    }
    if (Files.exists(out) && !isEmptyDirectory(out)) {
      throw new IOException(out + " exists and is not a finished import (no " + MARKER
          + "): remove it or choose another --out");
    }
    if (source == null) {
      debianPackage.ensureInstalled(log);
      source = DEBIAN_FOLDER;
    }
    if (!Files.isDirectory(source)) {
      throw new IOException("source folder " + source + " does not exist");
    }
    Path parent = out.getParent();
    Files.createDirectories(parent);
    Path partial = parent.resolve("." + out.getFileName() + ".partial");
    FileTree.delete(partial); // left by an interrupted run
    Files.createDirectories(partial);
    ObjectNode marker = JSON.createObjectNode();
    marker.put("format", "vvtq-fashion-mnist-import/1");
    marker.set("classes", JSON.valueToTree(CLASS_FOLDERS));
    ObjectNode sources = marker.putObject("sources");
    ObjectNode counts = marker.putObject("counts");
    int[] totals = new int[splits.size()];
    try {
      for (int s = 0; s < splits.size(); s++) {
        Split split = splits.get(s);
        Path imagesFile = find(source, split.images());
        Path labelsFile = find(source, split.labels());
        byte[] imagesRaw = Files.readAllBytes(imagesFile);
        byte[] labelsRaw = Files.readAllBytes(labelsFile);
        sources.put(imagesFile.getFileName().toString(), Sha256.hex(imagesRaw));
        sources.put(labelsFile.getFileName().toString(), Sha256.hex(labelsRaw));
        IdxFile.Images images = IdxFile.parseImages(IdxFile.content(imagesRaw, imagesFile.toString()), imagesFile.toString(), SIDE, SIDE);
        byte[] labels = IdxFile.parseLabels(IdxFile.content(labelsRaw, labelsFile.toString()), labelsFile.toString(), CLASS_FOLDERS.size());
        if (images.count() != labels.length) {
          throw new IOException(imagesFile + " holds " + images.count() + " images but " + labelsFile + " holds " + labels.length + " labels");
        }
        if (images.count() != split.expectedCount()) {
          throw new IOException(imagesFile + " holds " + images.count() + " images; Fashion-MNIST's " + split.folder()
              + " split has " + split.expectedCount());
        }
        int[] perClass = writeSplit(partial.resolve(split.folder()), split.folder(), images, labels);
        ObjectNode c = counts.putObject(split.folder());
        c.put("total", images.count());
        for (int k = 0; k < CLASS_FOLDERS.size(); k++) {
          c.put(CLASS_FOLDERS.get(k), perClass[k]);
        }
        totals[s] = images.count();
      }
      marker.put("created", Instant.now().toString());
      Files.writeString(partial.resolve(MARKER), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(marker));
      if (Files.exists(out)) {
        Files.delete(out); // an empty directory, checked above
      }
      try {
        Files.move(partial, out, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(partial, out);
      }
    } catch (IOException | RuntimeException e) {
      FileTree.delete(partial);
      throw e;
    }
    log.accept("imported Fashion-MNIST into " + out + ": " + totals[0] + " train, " + totals[1] + " val images");
    return new Result(out, false, totals[0], totals[1]);
  }

  /** The result recorded by a complete import in {@code out}, or null if there is none. */
  public static Result existing(Path out) throws IOException {
    Path marker = out.resolve(MARKER);
    if (!Files.isRegularFile(marker)) {
      return null;
    }
    JsonNode m;
    try {
      m = JSON.readTree(marker.toFile());
    } catch (IOException e) {
      throw new IOException(marker + " is unreadable (" + e.getMessage() + "): remove " + out + " and import again", e);
    }
    JsonNode counts = m.path("counts");
    if (!counts.path("train").path("total").isInt() || !counts.path("val").path("total").isInt()) {
      throw new IOException(marker + " lacks the split counts: remove " + out + " and import again");
    }
    return new Result(out, true, counts.path("train").path("total").asInt(), counts.path("val").path("total").asInt());
  }

  private int[] writeSplit(Path dir, String name, IdxFile.Images images, byte[] labels) throws IOException {
    for (String c : CLASS_FOLDERS) {
      Files.createDirectories(dir.resolve(c));
    }
    int[] perClass = new int[CLASS_FOLDERS.size()];
    for (byte l : labels) {
      perClass[l & 0xff]++;
    }
    int plane = SIDE * SIDE;
    AtomicLong done = new AtomicLong();
    int n = images.count();
    try {
      IntStream.range(0, n).parallel().forEach(i -> {
        BufferedImage img = new BufferedImage(SIDE, SIDE, BufferedImage.TYPE_BYTE_GRAY);
        img.getRaster().setDataElements(0, 0, SIDE, SIDE, java.util.Arrays.copyOfRange(images.pixels(), i * plane, (i + 1) * plane));
        Path file = dir.resolve(CLASS_FOLDERS.get(labels[i] & 0xff)).resolve(String.format("%05d.png", i));
        try {
          if (!ImageIO.write(img, "png", file.toFile())) {
            throw new IOException("no PNG writer available");
          }
        } catch (IOException e) {
          throw new UncheckedIOException("cannot write " + file, e);
        }
        long d = done.incrementAndGet();
        if (d % 256 == 0 || d == n) {
          progress.progress("writing " + name + " PNGs", d, n);
        }
      });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    return perClass;
  }

  private static Path find(Path source, String base) throws IOException {
    for (String candidate : new String[] {base + ".gz", base}) {
      Path p = source.resolve(candidate);
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    throw new IOException(source + " lacks " + base + ".gz (or " + base + "); Fashion-MNIST needs train-images-idx3-ubyte, "
        + "train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte");
  }

  private static boolean isEmptyDirectory(Path p) throws IOException {
    if (!Files.isDirectory(p)) {
      return false;
    }
    try (Stream<Path> s = Files.list(p)) {
      return s.findAny().isEmpty();
    }
  }
}
