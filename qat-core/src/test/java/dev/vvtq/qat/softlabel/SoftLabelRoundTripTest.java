package dev.vvtq.qat.softlabel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.vvtq.imaging.CropBox;
import dev.vvtq.imaging.Normalization;
import dev.vvtq.imaging.PilBilinearResize;
import dev.vvtq.imaging.RgbImage;
import dev.vvtq.qat.data.ImageFolder;
import dev.vvtq.qat.data.TestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SoftLabelRoundTripTest {
  @TempDir Path dir;
  static Path dataDir;
  static ImageFolder data;
  static NDManager manager;
  static final SoftLabelSpec SPEC = SoftLabelSpec.of(6, 5, 99, 12, 4).withImagesPerShard(4);

  @BeforeAll
  static void setUp(@TempDir Path shared) throws IOException {
    dataDir = TestImages.folder(shared.resolve("train"), 2, 2, 1, 2, 2, 1);
    data = ImageFolder.open(dataDir);
    manager = NDManager.newBaseManager();
  }

  @AfterAll
  static void tearDown() {
    manager.close();
  }

  private SoftLabelManifest generate(Path folder, SoftLabelFixture fixture, List<GenerationProgress> events) throws IOException {
    return new SoftLabelGenerator(SPEC).generate(data, fixture.teacher, "mean-linear test teacher", manager, folder, events::add);
  }

  @Test
  void storedRecordsAreTheTeachersTopKOnTheDrawnCrops() throws IOException {
    Path folder = dir.resolve("softlabels").resolve("test");
    SoftLabelFixture fixture = new SoftLabelFixture();
    List<GenerationProgress> events = new ArrayList<>();
    SoftLabelManifest manifest = generate(folder, fixture, events);
    assertEquals(3, manifest.shards().size(), "10 images in shards of 4");
    assertEquals(60, fixture.crops.get(), "10 images x 6 crops, each through the teacher once");
    assertEquals(10, events.get(events.size() - 1).imagesDone());
    assertEquals(data.listingSha256(), manifest.listingSha256());

    SoftLabelGenerator generator = new SoftLabelGenerator(SPEC);
    try (SoftLabelStore store = SoftLabelStore.open(folder)) {
      store.checkMatches(data);
      assertEquals(List.of("c0", "c1", "c2", "c3", "c4", "c5"), store.manifest().classes());
      for (int i = 0; i < data.size(); i++) {
        SoftLabelRecord r = store.record(i);
        RgbImage image = data.load(i);
        assertEquals(data.entry(i).label(), r.label());
        assertEquals(image.width(), r.width());
        List<SoftLabelGenerator.CropBoxAndFlip> drawn = generator.drawCrops(i, image.width(), image.height());
        for (int c = 0; c < 6; c++) {
          CropLabel crop = r.crops().get(c);
          assertEquals(drawn.get(c).box(), crop.pixelBox(image.width(), image.height()), "image " + i + " crop " + c);
          assertEquals(drawn.get(c).flip(), crop.flip());
          RgbImage cut = PilBilinearResize.resize(image.crop(drawn.get(c).box()), 12, 12);
          double[] p = SoftLabelFixture.probabilities(Normalization.IMAGENET.toChw(crop.flip() ? cut.flipHorizontal() : cut));
          for (int j = 0; j < 5; j++) {
            assertEquals(p[crop.classes()[j]], crop.probabilities()[j], 1e-5);
            if (j > 0) {
              assertTrue(crop.probabilities()[j] <= crop.probabilities()[j - 1]);
            }
          }
          double best = 0;
          for (double v : p) {
            best = Math.max(best, v);
          }
          assertEquals(best, crop.probabilities()[0], 1e-5);
        }
      }
      assertThrows(IndexOutOfBoundsException.class, () -> store.record(10));
    }
    // Boxes vary across images and crops: the generator is not stuck on one box.
    try (SoftLabelStore store = SoftLabelStore.open(folder)) {
      CropBox a = store.record(0).crops().get(0).pixelBox(data.load(0).width(), data.load(0).height());
      CropBox b = store.record(0).crops().get(1).pixelBox(data.load(0).width(), data.load(0).height());
      assertTrue(!a.equals(b));
    }
  }

  @Test
  void resumeKeepsFinishedShardsAndRedoesMissingOrCorruptedOnes() throws IOException {
    Path folder = dir.resolve("softlabels").resolve("resume");
    generate(folder, new SoftLabelFixture(), new ArrayList<>());
    byte[] shard0 = Files.readAllBytes(folder.resolve(SoftLabelGenerator.shardFile(0)));
    byte[] shard1 = Files.readAllBytes(folder.resolve(SoftLabelGenerator.shardFile(1)));
    byte[] shard2 = Files.readAllBytes(folder.resolve(SoftLabelGenerator.shardFile(2)));

    // A complete folder: nothing is recomputed.
    SoftLabelFixture idle = new SoftLabelFixture();
    generate(folder, idle, new ArrayList<>());
    assertEquals(0, idle.calls.get());

    // Interrupted run: no manifest, shard 1 never written, shard 2 corrupted.
    Files.delete(folder.resolve(SoftLabelManifest.FILE));
    Files.delete(folder.resolve(SoftLabelGenerator.shardFile(1)));
    byte[] damaged = shard2.clone();
    damaged[damaged.length - 3] ^= 0x55;
    Files.write(folder.resolve(SoftLabelGenerator.shardFile(2)), damaged);
    SoftLabelFixture resumed = new SoftLabelFixture();
    List<GenerationProgress> events = new ArrayList<>();
    generate(folder, resumed, events);
    assertEquals((4 + 2) * 6, resumed.crops.get(), "only shards 1 (4 images) and 2 (2 images) are redone");
    assertTrue(events.stream().anyMatch(e -> e.shardSkipped() && e.shardsDone() == 1), "shard 0 reported as kept");
    assertArrayEquals(shard0, Files.readAllBytes(folder.resolve(SoftLabelGenerator.shardFile(0))));
    assertArrayEquals(shard1, Files.readAllBytes(folder.resolve(SoftLabelGenerator.shardFile(1))));
    assertArrayEquals(shard2, Files.readAllBytes(folder.resolve(SoftLabelGenerator.shardFile(2))));

    // Corruption under a complete manifest: the reader refuses, the generator repairs.
    Files.write(folder.resolve(SoftLabelGenerator.shardFile(0)), damaged);
    try (SoftLabelStore store = SoftLabelStore.open(folder)) {
      Exception e = assertThrows(Exception.class, () -> store.record(0));
      assertTrue(e.getMessage().contains("SHA-256"), e.getMessage());
    }
    SoftLabelFixture repair = new SoftLabelFixture();
    generate(folder, repair, new ArrayList<>());
    assertEquals(4 * 6, repair.crops.get());
    assertArrayEquals(shard0, Files.readAllBytes(folder.resolve(SoftLabelGenerator.shardFile(0))));
  }

  @Test
  void refusesAFolderMadeWithOtherParameters() throws IOException {
    Path folder = dir.resolve("softlabels").resolve("other");
    generate(folder, new SoftLabelFixture(), new ArrayList<>());
    SoftLabelSpec different = SoftLabelSpec.of(6, 5, 100, 12, 4).withImagesPerShard(4);
    IOException e = assertThrows(IOException.class,
        () -> new SoftLabelGenerator(different).generate(data, new SoftLabelFixture().teacher, "t", manager, folder, p -> {}));
    assertTrue(e.getMessage().contains("other parameters"), e.getMessage());
    IOException missing = assertThrows(IOException.class, () -> SoftLabelStore.open(dir.resolve("nothing")));
    assertTrue(missing.getMessage().contains("softlabels.json"), missing.getMessage());
  }
}
