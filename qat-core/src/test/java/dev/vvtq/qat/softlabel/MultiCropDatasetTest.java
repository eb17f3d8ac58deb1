package dev.vvtq.qat.softlabel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.vvtq.imaging.CropBox;
import dev.vvtq.imaging.Normalization;
import dev.vvtq.imaging.RgbImage;
import dev.vvtq.qat.data.Batch;
import dev.vvtq.qat.data.DataLoader;
import dev.vvtq.qat.data.ImageFolder;
import dev.vvtq.qat.data.LoaderOptions;
import dev.vvtq.qat.data.Sample;
import dev.vvtq.qat.data.SampleSeeds;
import dev.vvtq.qat.data.TestImages;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MultiCropDatasetTest {
  static ImageFolder data;
  static NDManager manager;
  static SoftLabelStore store;

  @BeforeAll
  static void setUp(@TempDir Path dir) throws IOException {
    data = ImageFolder.open(TestImages.folder(dir.resolve("train"), 2, 1, 2, 1, 1, 2));
    manager = NDManager.newBaseManager();
    Path folder = dir.resolve("softlabels/mc");
    new SoftLabelGenerator(SoftLabelSpec.of(8, 5, 3, 10, 16).withImagesPerShard(3))
        .generate(data, new SoftLabelFixture().teacher, "test", manager, folder, p -> {});
    store = SoftLabelStore.open(folder);
  }

  @AfterAll
  static void tearDown() throws IOException {
    store.close();
    manager.close();
  }

  /** The expected crop by hand: cut the pixels of the box, resize, mirror when flagged. */
  private static RgbImage handCut(RgbImage image, CropBox box, boolean flip, int side) {
    RgbImage cut = RgbImage.blank(box.width(), box.height());
    for (int y = 0; y < box.height(); y++) {
      for (int x = 0; x < box.width(); x++) {
        for (int c = 0; c < 3; c++) {
          cut.set(x, y, c, image.get(box.left() + x, box.top() + y, c));
        }
      }
    }
    RgbImage resized = dev.vvtq.imaging.PilBilinearResize.resize(cut, side, side);
    return flip ? resized.flipHorizontal() : resized;
  }

  @Test
  void eachImageYieldsNumCropsStoredCropsWithTheirTargets() {
    MultiCropDataset ds = new MultiCropDataset(data, store, 3, 10, SoftTargetType.MARGINAL_SMOOTHING_K5, Normalization.IMAGENET, null);
    for (int i = 0; i < data.size(); i++) {
      List<Sample> samples = ds.load(i, SampleSeeds.random(7, 0, i));
      assertEquals(3, samples.size());
      int[] chosen = ds.chooseCrops(SampleSeeds.random(7, 0, i));
      assertEquals(3, new HashSet<>(Arrays.stream(chosen).boxed().toList()).size(), "distinct crops");
      SoftLabelRecord record = store.record(i);
      RgbImage image = data.load(i);
      for (int s = 0; s < 3; s++) {
        CropLabel crop = record.crops().get(chosen[s]);
        CropBox box = crop.pixelBox(image.width(), image.height());
        float[] expected = Normalization.IMAGENET.toChw(handCut(image, box, crop.flip(), 10));
        assertArrayEquals(expected, samples.get(s).image(), "image " + i + " crop " + chosen[s]);
        assertArrayEquals(SoftTargetType.MARGINAL_SMOOTHING_K5.recover(record.label(), crop.classes(), crop.probabilities(), 6),
            samples.get(s).softTarget());
        assertEquals(data.entry(i).label(), samples.get(s).label());
      }
    }
  }

  @Test
  void aFreshPermutationEachPass() {
    MultiCropDataset ds = new MultiCropDataset(data, store, 2, 10, SoftTargetType.HARD, Normalization.IMAGENET, null);
    Set<String> choices = new HashSet<>();
    for (int epoch = 0; epoch < 12; epoch++) {
      choices.add(Arrays.toString(ds.chooseCrops(SampleSeeds.random(1, epoch, 0))));
    }
    assertTrue(choices.size() > 4, "crop subsets over 12 passes: " + choices);
    assertArrayEquals(ds.chooseCrops(new SplittableRandom(5)), ds.chooseCrops(new SplittableRandom(5)));
  }

  @Test
  void loaderTakesCeilBatchOverNumCropsImages() {
    MultiCropDataset ds = new MultiCropDataset(data, store, 4, 10, SoftTargetType.SMOOTHING, Normalization.IMAGENET, null);
    try (DataLoader loader = new DataLoader(ds, LoaderOptions.training(10, 2, 11));
        NDManager m = manager.newSubManager();
        DataLoader.EpochIterator it = loader.epoch(0, m)) {
      assertEquals(3, loader.itemsPerBatch());
      assertEquals(3, it.batches(), "9 images, 3 per batch");
      try (Batch b = it.next()) {
        assertEquals(new Shape(12, 3, 10, 10), b.images().getShape());
        assertEquals(new Shape(12, 6), b.targets().getShape());
        assertEquals(DataType.FLOAT32, b.targets().getDataType());
        assertEquals(new Shape(12), b.labels().getShape());
        float[] targets = b.targets().toFloatArray();
        for (int s = 0; s < 12; s++) {
          float sum = 0;
          for (int c = 0; c < 6; c++) {
            sum += targets[s * 6 + c];
          }
          assertEquals(1f, sum, 1e-5);
        }
        long[] labels = b.labels().toLongArray();
        for (int s = 0; s < 12; s++) {
          assertEquals(data.entry(b.items()[s / 4]).label(), labels[s]);
        }
      }
    }
  }

  @Test
  void refusesImpossibleSettings() {
    IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class,
        () -> new MultiCropDataset(data, store, 9, 10, SoftTargetType.HARD, Normalization.IMAGENET, null));
    assertTrue(tooMany.getMessage().contains("[1, 8]"), tooMany.getMessage());
    IllegalArgumentException k10 = assertThrows(IllegalArgumentException.class,
        () -> new MultiCropDataset(data, store, 2, 10, SoftTargetType.MARGINAL_SMOOTHING_K10, Normalization.IMAGENET, null));
    assertTrue(k10.getMessage().contains("k >= 10"), k10.getMessage());
    assertNotEquals(0, store.cropsPerImage());
  }
}
