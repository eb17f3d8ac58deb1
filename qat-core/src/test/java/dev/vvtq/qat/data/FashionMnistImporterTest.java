package dev.vvtq.qat.data;

import dev.vvtq.artifacts.manifest.Sha256;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vvtq.imaging.RgbImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistImporterTest {
  @TempDir Path dir;
  private final List<String> log = new ArrayList<>();

  private static byte[] images(int magic, int count, int rows, int cols, int pixelBytes, int seed) {
    ByteBuffer b = ByteBuffer.allocate(16 + pixelBytes);
    b.putInt(magic).putInt(count).putInt(rows).putInt(cols);
    for (int i = 0; i < pixelBytes; i++) {
      b.put((byte) ((i * 31 + seed) % 256));
    }
    return b.array();
  }

  private static byte[] labels(int magic, int... values) {
    ByteBuffer b = ByteBuffer.allocate(8 + values.length);
    b.putInt(magic).putInt(values.length);
    for (int v : values) {
      b.put((byte) v);
    }
    return b.array();
  }

  private static void gz(Path file, byte[] data) throws IOException {
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
      out.write(data);
    }
  }

  private Path source(byte[] trainImages, byte[] trainLabels, byte[] valImages, byte[] valLabels) throws IOException {
    Path src = Files.createDirectories(dir.resolve("src"));
    gz(src.resolve("train-images-idx3-ubyte.gz"), trainImages);
    gz(src.resolve("train-labels-idx1-ubyte.gz"), trainLabels);
    // The validation files uncompressed: both spellings are accepted.
    Files.write(src.resolve("t10k-images-idx3-ubyte"), valImages);
    Files.write(src.resolve("t10k-labels-idx1-ubyte"), valLabels);
    return src;
  }

  private FashionMnistImporter importer(int train, int val) {
    return new FashionMnistImporter(train, val, new DebianPackage("dataset-fashion-mnist", dir.resolve("none"), () -> false),
        ProgressListener.NONE, log::add);
  }

  private Path validSource() throws IOException {
    // Every class needs an image, as ImageFolder refuses empty class folders.
    return source(images(2051, 12, 28, 28, 12 * 784, 1), labels(2049, 3, 0, 9, 3, 1, 2, 4, 5, 6, 7, 8, 1),
        images(2051, 10, 28, 28, 10 * 784, 2), labels(2049, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0));
  }

  @Test
  void writesAnImageFolderWhoseLabelsAreTheIdxLabels() throws IOException {
    Path src = validSource();
    Path out = dir.resolve("fmnist");
    FashionMnistImporter.Result r = importer(12, 10).importTo(out, src);
    assertFalse(r.alreadyComplete());
    assertEquals(12, r.trainCount());
    ImageFolder train = ImageFolder.split(out, "train");
    assertEquals(FashionMnistImporter.CLASS_FOLDERS.subList(0, 10), train.classes());
    // Sorted by class then file name: label 0 (idx 1), 1 (idx 4, 11), 2 (idx 5), 3 (idx 0, 3), ...
    assertEquals(Arrays.asList(0, 1, 1, 2, 3, 3, 4, 5, 6, 7, 8, 9), train.entries().stream().map(ImageEntry::label).toList());
    assertEquals("00011.png", train.entry(2).path().getFileName().toString());
    assertEquals("00001.png", train.entry(0).path().getFileName().toString());
    RgbImage first = train.load(0);
    assertEquals(28, first.width());
    for (int p = 0; p < 784; p += 97) {
      int expected = ((784 + p) * 31 + 1) % 256; // pixel p of image 1
      assertEquals(expected, first.get(p % 28, p / 28, 0));
      assertEquals(expected, first.get(p % 28, p / 28, 2));
    }
    ImageFolder val = ImageFolder.split(out, "val");
    assertEquals(Arrays.asList(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), val.entries().stream().map(ImageEntry::label).toList());
    assertEquals("00009.png", val.entry(0).path().getFileName().toString());
    String marker = Files.readString(out.resolve(FashionMnistImporter.MARKER));
    assertTrue(marker.contains(Sha256.hex(Files.readAllBytes(src.resolve("t10k-labels-idx1-ubyte")))), marker);

    log.clear();
    FashionMnistImporter.Result again = importer(12, 10).importTo(out, src);
    assertTrue(again.alreadyComplete());
    assertTrue(log.get(0).contains("nothing to do"), log.toString());
    try (var siblings = Files.list(dir)) {
      assertEquals(2, siblings.count(), "no partial folder left beside the output");
    }
  }

  @Test
  void wrongMagicFailsNamingTheFile() throws IOException {
    Path src = source(labels(2049, 1, 2, 3, 4, 5, 6, 7, 8), labels(2049, 3), images(2051, 1, 28, 28, 784, 2), labels(2049, 1));
    IOException e = assertThrows(IOException.class, () -> importer(1, 1).importTo(dir.resolve("o"), src));
    assertTrue(e.getMessage().contains("train-images-idx3-ubyte.gz") && e.getMessage().contains("2049")
        && e.getMessage().contains("label file"), e.getMessage());
    assertFalse(Files.exists(dir.resolve("o")));
    assertFalse(Files.exists(dir.resolve(".o.partial")));
  }

  @Test
  void truncatedDataAndWrongSizeFail() throws IOException {
    Path src = source(images(2051, 2, 28, 28, 784 + 100, 1), labels(2049, 1, 2),
        images(2051, 1, 28, 28, 784, 2), labels(2049, 1));
    IOException e = assertThrows(IOException.class, () -> importer(2, 1).importTo(dir.resolve("o"), src));
    assertTrue(e.getMessage().contains("truncated"), e.getMessage());

    Files.delete(src.resolve("train-images-idx3-ubyte.gz"));
    gz(src.resolve("train-images-idx3-ubyte.gz"), images(2051, 2, 32, 32, 2 * 1024, 1));
    IOException size = assertThrows(IOException.class, () -> importer(2, 1).importTo(dir.resolve("o"), src));
    assertTrue(size.getMessage().contains("32x32"), size.getMessage());

    byte[] shortLabels = Arrays.copyOf(labels(2049, 1, 2, 3), 10);
    assertThrows(IOException.class, () -> IdxFile.parseLabels(shortLabels, "l", 10));
    IOException badLabel = assertThrows(IOException.class, () -> IdxFile.parseLabels(labels(2049, 1, 12), "l", 10));
    assertTrue(badLabel.getMessage().contains("label 12"), badLabel.getMessage());
  }

  @Test
  void countMismatchesFail() throws IOException {
    Path src = source(images(2051, 2, 28, 28, 2 * 784, 1), labels(2049, 1, 2, 3),
        images(2051, 1, 28, 28, 784, 2), labels(2049, 1));
    IOException pair = assertThrows(IOException.class, () -> importer(2, 1).importTo(dir.resolve("o"), src));
    assertTrue(pair.getMessage().contains("2 images") && pair.getMessage().contains("3 labels"), pair.getMessage());

    Path src2 = dir.resolve("src");
    gz(src2.resolve("train-labels-idx1-ubyte.gz"), labels(2049, 1, 2));
    IOException expected = assertThrows(IOException.class, () -> importer(60_000, 1).importTo(dir.resolve("o"), src2));
    assertTrue(expected.getMessage().contains("60000"), expected.getMessage());
  }

  @Test
  void refusesANonEmptyUnfinishedOutputAndExplainsInstallWhenNotRoot() throws IOException {
    Path out = Files.createDirectories(dir.resolve("busy"));
    Files.writeString(out.resolve("something"), "x");
    Path src = validSource();
    IOException busy = assertThrows(IOException.class, () -> importer(12, 10).importTo(out, src));
    assertTrue(busy.getMessage().contains("remove it or choose another --out"), busy.getMessage());

    IOException notRoot = assertThrows(IOException.class, () -> importer(12, 10).importTo(dir.resolve("fresh"), null));
    assertTrue(notRoot.getMessage().contains("sudo apt-get update && sudo apt-get install -y dataset-fashion-mnist"),
        notRoot.getMessage());
  }
}
