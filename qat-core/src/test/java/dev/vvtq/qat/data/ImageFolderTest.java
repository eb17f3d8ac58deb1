package dev.vvtq.qat.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vvtq.imaging.ImageDecodeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderTest {
  @TempDir Path dir;

  private List<String> relative(ImageFolder f) {
    return f.entries().stream().map(e -> e.label() + ":" + f.root().relativize(e.path()).toString()).toList();
  }

  @Test
  void classesSortByCodePointAndFilesByWalkOrder() throws IOException {
    Path root = dir.resolve("train");
    TestImages.png(root.resolve("b/2.png"), 4, 4, 1);
    TestImages.png(root.resolve("b/10.png"), 4, 4, 2);
    TestImages.png(root.resolve("a/x.JPG.png"), 4, 4, 3);
    TestImages.png(root.resolve("a/sub/z.png"), 4, 4, 4);
    TestImages.png(root.resolve("a/sub-a/y.png"), 4, 4, 5);
    TestImages.png(root.resolve("a/a.png"), 4, 4, 6);
    TestImages.png(root.resolve("C/only.png"), 4, 4, 7);
    Files.writeString(root.resolve("a/notes.txt"), "ignored");
    Files.writeString(root.resolve("stray.png"), "a file at the top is not a class");
    Files.copy(root.resolve("b/2.png"), root.resolve("b/upper.PNG"));
    ImageFolder f = ImageFolder.open(root);
    assertEquals(List.of("C", "a", "b"), f.classes());
    // Directories in sorted path order ("a" < "a/sub" < "a/sub-a"), files sorted inside each.
    assertEquals(List.of("0:C/only.png", "1:a/a.png", "1:a/x.JPG.png", "1:a/sub/z.png", "1:a/sub-a/y.png",
        "2:b/10.png", "2:b/2.png", "2:b/upper.PNG"), relative(f));
    assertEquals(4, f.load(0).width());
  }

  @Test
  void emptyClassAndMissingFolderFailClearly() throws IOException {
    Path root = dir.resolve("data");
    TestImages.png(root.resolve("cat/1.png"), 4, 4, 1);
    Files.createDirectories(root.resolve("dog"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageFolder.open(root));
    assertTrue(e.getMessage().contains("dog") && e.getMessage().contains("no image file"), e.getMessage());
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> ImageFolder.split(dir, "val"));
    assertTrue(missing.getMessage().contains("val"), missing.getMessage());
  }

  @Test
  void corruptFileFailsOnLoadOrIsSkippedAndCounted() throws IOException {
    Path root = TestImages.folder(dir.resolve("train"), 2, 2);
    Path bad = root.resolve("c1/img0.png");
    byte[] good = Files.readAllBytes(bad);
    Files.write(bad, java.util.Arrays.copyOf(good, 40));
    Files.writeString(root.resolve("c0/fake.webp"), "RIFF0000WEBPVP8 ");

    ImageFolder strict = ImageFolder.open(root);
    assertEquals(5, strict.size());
    int badIndex = strict.entries().stream().map(ImageEntry::path).toList().indexOf(bad);
    ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> strict.load(badIndex));
    assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());

    ImageFolder lenient = ImageFolder.open(root, true);
    assertEquals(3, lenient.size());
    assertEquals(2, lenient.summary().skipped());
    assertEquals(3, lenient.summary().kept());
    assertTrue(lenient.summary().toString().contains("fake.webp"), lenient.summary().toString());
    assertTrue(lenient.summary().skippedFiles().stream().anyMatch(s -> s.contains(bad.toString())));
    for (int i = 0; i < lenient.size(); i++) {
      lenient.load(i);
    }
  }

  @Test
  void listingHashFollowsNamesAndLabels() throws IOException {
    Path root = TestImages.folder(dir.resolve("train"), 2, 1);
    String before = ImageFolder.open(root).listingSha256();
    assertEquals(before, ImageFolder.open(root).listingSha256());
    Files.move(root.resolve("c0/img1.png"), root.resolve("c0/img9.png"));
    assertNotEquals(before, ImageFolder.open(root).listingSha256());
  }
}
