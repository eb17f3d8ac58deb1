package dev.vvtq.qat.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.vvtq.imaging.EvalPreprocessor;
import dev.vvtq.imaging.TrainingTransform;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataLoaderTest {
  @TempDir static Path dir;
  static ImageFolder folder;
  static NDManager manager;

  @BeforeAll
  static void setUp() throws IOException {
    folder = ImageFolder.open(TestImages.folder(dir.resolve("train"), 4, 3, 4));
    manager = NDManager.newBaseManager();
  }

  @AfterAll
  static void tearDown() {
    manager.close();
  }

  /** Every batch of an epoch as host arrays: images, targets, items. */
  private static List<Object[]> run(SampleSource source, LoaderOptions options, int epoch) {
    List<Object[]> out = new ArrayList<>();
    try (DataLoader loader = new DataLoader(source, options);
        NDManager m = manager.newSubManager();
        DataLoader.EpochIterator it = loader.epoch(epoch, m)) {
      while (it.hasNext()) {
        try (Batch b = it.next()) {
          assertEquals(DataType.FLOAT32, b.images().getDataType());
          assertEquals(DataType.INT64, b.targets().getDataType());
          out.add(new Object[] {b.images().toFloatArray(), b.targets().toLongArray(), b.items()});
        }
      }
    }
    return out;
  }

  private static SampleSource training() {
    return ImageFolderSource.training(folder, TrainingTransform.imagenet(16), null);
  }

  @Test
  void sameBatchesForOneAndThreeWorkersAndInline() {
    LoaderOptions one = LoaderOptions.training(4, 1, 1234);
    List<Object[]> a = run(training(), one, 3);
    List<Object[]> b = run(training(), one.withWorkers(3), 3);
    List<Object[]> c = run(training(), one.withWorkers(0), 3);
    assertEquals(2, a.size(), "11 images, batch 4, drop_last: 2 batches");
    for (List<Object[]> other : List.of(b, c)) {
      assertEquals(a.size(), other.size());
      for (int i = 0; i < a.size(); i++) {
        assertArrayEquals((float[]) a.get(i)[0], (float[]) other.get(i)[0]);
        assertArrayEquals((long[]) a.get(i)[1], (long[]) other.get(i)[1]);
        assertArrayEquals((int[]) a.get(i)[2], (int[]) other.get(i)[2]);
      }
    }
    List<Object[]> nextEpoch = run(training(), one, 4);
    assertFalse(Arrays.equals((int[]) a.get(0)[2], (int[]) nextEpoch.get(0)[2])
        && Arrays.equals((float[]) a.get(0)[0], (float[]) nextEpoch.get(0)[0]), "another epoch, another order or augmentation");
  }

  @Test
  void labelsFollowTheItems() {
    List<Object[]> batches = run(training(), LoaderOptions.training(4, 2, 9), 0);
    for (Object[] b : batches) {
      int[] items = (int[]) b[2];
      long[] labels = (long[]) b[1];
      for (int i = 0; i < items.length; i++) {
        assertEquals(folder.entry(items[i]).label(), labels[i]);
      }
    }
  }

  @Test
  void evaluationKeepsTheOrderAndTheLastPartialBatch() {
    SampleSource eval = ImageFolderSource.evaluation(folder, EvalPreprocessor.imagenet(16), new DecodedImageCache(folder.size(), 1 << 20));
    List<Object[]> batches = run(eval, LoaderOptions.evaluation(4, 2), 0);
    assertEquals(3, batches.size());
    assertArrayEquals(new int[] {8, 9, 10}, (int[]) batches.get(2)[2]);
    float[] first = (float[]) batches.get(0)[0];
    assertArrayEquals(Arrays.copyOf(EvalPreprocessor.imagenet(16).preprocess(folder.load(0)), 3 * 16 * 16),
        Arrays.copyOf(first, 3 * 16 * 16));
  }

  @Test
  void rankShardsAreDisjointAndCoverTheData() {
    int n = 11;
    int[] order = EpochOrder.permutation(n, 5, 2, true);
    List<Integer> all = new ArrayList<>();
    Set<Integer> seen = new HashSet<>();
    for (int rank = 0; rank < 3; rank++) {
      int[] shard = EpochOrder.shard(order, rank, 3, ShardRemainder.DROP);
      assertEquals(3, shard.length);
      for (int i : shard) {
        assertTrue(seen.add(i), "item " + i + " on two ranks");
      }
    }
    assertEquals(9, seen.size(), "DROP leaves out the 11 mod 3 = 2 last items of the order");
    assertFalse(seen.contains(order[9]) || seen.contains(order[10]));

    Set<Integer> padded = new HashSet<>();
    for (int rank = 0; rank < 3; rank++) {
      int[] shard = EpochOrder.shard(order, rank, 3, ShardRemainder.PAD_BY_REPEATING);
      assertEquals(4, shard.length);
      for (int i : shard) {
        all.add(i);
        padded.add(i);
      }
    }
    assertEquals(n, padded.size(), "padding covers every item");
    assertEquals(12, all.size(), "one item repeated to even the shards");

    int[] even = EpochOrder.permutation(12, 5, 2, true);
    Set<Integer> disjoint = new HashSet<>();
    for (int rank = 0; rank < 4; rank++) {
      for (int i : EpochOrder.shard(even, rank, 4, ShardRemainder.PAD_BY_REPEATING)) {
        assertTrue(disjoint.add(i));
      }
    }
    assertEquals(12, disjoint.size());

    LoaderOptions base = new LoaderOptions(2, 2, 4, true, 77, false, 0, 1, ShardRemainder.DROP);
    Set<Integer> fromLoaders = new HashSet<>();
    for (int rank = 0; rank < 2; rank++) {
      for (Object[] b : run(training(), base.sharded(rank, 2, ShardRemainder.DROP), 1)) {
        for (int i : (int[]) b[2]) {
          assertTrue(fromLoaders.add(i));
        }
      }
    }
    assertEquals(10, fromLoaders.size());
  }

  @Test
  void aFailingItemIsReportedAndNoThreadLeaks() throws IOException {
    Path root = TestImages.folder(dir.resolve("broken"), 3, 3);
    Files.writeString(root.resolve("c1/img1.png"), "broken");
    ImageFolder broken = ImageFolder.open(root);
    SampleSource source = ImageFolderSource.evaluation(broken, EvalPreprocessor.imagenet(8), null);
    DataLoadingException e;
    try (DataLoader loader = new DataLoader(source, LoaderOptions.evaluation(2, 3));
        NDManager m = manager.newSubManager();
        DataLoader.EpochIterator it = loader.epoch(0, m)) {
      e = assertThrows(DataLoadingException.class, () -> {
        while (it.hasNext()) {
          it.next().close();
        }
      });
    }
    assertTrue(e.getMessage().contains("item 4") && e.getMessage().contains("img1.png"), e.getMessage());
    assertEquals(0, loaderThreads(), "loader threads left after close");
  }

  @Test
  void closingMidEpochStopsTheWorkers() {
    DataLoader loader = new DataLoader(training(), new LoaderOptions(2, 3, 4, true, 1, false, 0, 1, ShardRemainder.DROP));
    try (NDManager m = manager.newSubManager(); DataLoader.EpochIterator it = loader.epoch(0, m)) {
      it.next().close();
      assertTrue(loaderThreads() > 0);
    }
    loader.close();
    assertEquals(0, loaderThreads());
    assertThrows(IllegalStateException.class, () -> loader.epoch(1, manager));
  }

  @Test
  void batchShapes() {
    try (DataLoader loader = new DataLoader(training(), LoaderOptions.training(5, 2, 3));
        NDManager m = manager.newSubManager();
        DataLoader.EpochIterator it = loader.epoch(0, m)) {
      assertEquals(2, it.batches());
      try (Batch b = it.next()) {
        assertEquals(new Shape(5, 3, 16, 16), b.images().getShape());
        assertEquals(new Shape(5), b.targets().getShape());
        assertEquals(5, b.size());
      }
    }
    assertNotEquals(0, SampleSeeds.of(1, 2, 3));
  }

  private static long loaderThreads() {
    return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("vvtq-loader-") && t.isAlive()).count();
  }
}
