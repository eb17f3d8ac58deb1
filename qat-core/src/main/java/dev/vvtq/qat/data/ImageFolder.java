package dev.vvtq.qat.data;

import dev.vvtq.artifacts.CodePointOrder;
import dev.vvtq.artifacts.manifest.Sha256;
import dev.vvtq.imaging.ImageDecodeException;
import dev.vvtq.imaging.ImageDecoder;
import dev.vvtq.imaging.ImageExtensions;
import dev.vvtq.imaging.RgbImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * torchvision's {@code ImageFolder} over {@code root/<class>/**}: class folders sorted by name give
 * the labels 0..C-1; inside a class, directories are walked in sorted path order and files sorted
 * by name (torchvision's {@code sorted(os.walk(...))}); only torchvision's image extensions count.
 * Images decode to RGB on {@link #load}. For a dataset laid out as {@code DATA/train/<class>} and
 * {@code DATA/val/<class>} use {@link #split}.
 */
public final class ImageFolder {
  private final Path root;
  private final List<String> classes;
  private final List<ImageEntry> entries;
  private final ImageFolderSummary summary;

  private ImageFolder(Path root, List<String> classes, List<ImageEntry> entries, ImageFolderSummary summary) {
    this.root = root;
    this.classes = List.copyOf(classes);
    this.entries = List.copyOf(entries);
    this.summary = summary;
  }

  /** {@code dataRoot/split} ({@code "train"} or {@code "val"}), undecodable files failing on load. */
  public static ImageFolder split(Path dataRoot, String split) {
    return open(dataRoot.resolve(split), false);
  }

  /** Lists {@code root}; an undecodable file fails later, when loaded, with an error naming it. */
  public static ImageFolder open(Path root) {
    return open(root, false);
  }

  /**
   * Lists {@code root}. With {@code skipUndecodable}, every file is decoded once now and those
   * that fail are left out and reported in {@link #summary()} (a full pass over the data).
   */
  public static ImageFolder open(Path root, boolean skipUndecodable) {
    if (!Files.isDirectory(root)) {
      throw new IllegalArgumentException("image folder " + root + " does not exist or is not a directory"
          + " (expected " + root + "/<class>/<image files>)");
    }
    List<String> classes = new ArrayList<>();
    try (Stream<Path> children = Files.list(root)) {
      children.filter(Files::isDirectory).forEach(p -> classes.add(p.getFileName().toString()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list image folder " + root, e);
    }
    if (classes.isEmpty()) {
      throw new IllegalArgumentException("no class folder in " + root + " (expected " + root + "/<class>/<image files>)");
    }
    classes.sort(CodePointOrder.INSTANCE);
    List<ImageEntry> entries = new ArrayList<>();
    for (int label = 0; label < classes.size(); label++) {
      List<Path> files = classFiles(root.resolve(classes.get(label)));
      if (files.isEmpty()) {
        throw new IllegalArgumentException("class folder " + root.resolve(classes.get(label))
            + " holds no image file (extensions: " + String.join(" ", ImageExtensions.TORCHVISION) + ")");
      }
      for (Path f : files) {
        entries.add(new ImageEntry(f, label));
      }
    }
    List<String> skipped = new ArrayList<>();
    if (skipUndecodable) {
      List<ImageEntry> all = entries;
      String[] reasons = new String[all.size()];
      // Decoding is the only reliable check (a header can be intact and the data truncated).
      java.util.stream.IntStream.range(0, all.size()).parallel().forEach(i -> {
        try {
          ImageDecoder.decode(all.get(i).path());
        } catch (ImageDecodeException e) {
          reasons[i] = e.getMessage();
        }
      });
      List<ImageEntry> kept = new ArrayList<>();
      for (int i = 0; i < entries.size(); i++) {
        if (reasons[i] == null) {
          kept.add(entries.get(i));
        } else {
          skipped.add(reasons[i]);
        }
      }
      entries = kept;
    }
    return new ImageFolder(root, classes, entries, new ImageFolderSummary(entries.size(), skipped.size(), skipped));
  }

  private static List<Path> classFiles(Path classDir) {
    // Group files by directory, order directories by their path string, then files by name.
    Map<String, List<String>> byDir = new TreeMap<>(CodePointOrder.INSTANCE);
    Map<String, Path> dirPaths = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(classDir, FileVisitOption.FOLLOW_LINKS)) {
      walk.forEach(p -> {
        if (Files.isDirectory(p)) {
          String key = p.toString();
          byDir.computeIfAbsent(key, k -> new ArrayList<>());
          dirPaths.put(key, p);
        } else if (ImageExtensions.isImageFile(p.getFileName().toString())) {
          String key = p.getParent().toString();
          byDir.computeIfAbsent(key, k -> new ArrayList<>()).add(p.getFileName().toString());
          dirPaths.put(key, p.getParent());
        }
      });
    } catch (IOException | UncheckedIOException e) {
      throw new IllegalArgumentException("cannot walk class folder " + classDir + ": " + e.getMessage(), e);
    }
    List<Path> out = new ArrayList<>();
    for (Map.Entry<String, List<String>> d : byDir.entrySet()) {
      List<String> names = d.getValue();
      names.sort(CodePointOrder.INSTANCE);
      for (String n : names) {
        out.add(dirPaths.get(d.getKey()).resolve(n));
      }
    }
    return out;
  }

  public Path root() {
    return root;
  }

  /** Class names in label order. */
  public List<String> classes() {
    return classes;
  }

  public int numClasses() {
    return classes.size();
  }

  public int size() {
    return entries.size();
  }

  public ImageEntry entry(int index) {
    return entries.get(index);
  }

  public List<ImageEntry> entries() {
    return Collections.unmodifiableList(entries);
  }

  /** Decodes image {@code index} to RGB; failures name the file. */
  public RgbImage load(int index) {
    return ImageDecoder.decode(entries.get(index).path());
  }

  /** Files kept and skipped by the scan. */
  public ImageFolderSummary summary() {
    return summary;
  }

  /**
   * SHA-256 (hex) of the listing: one line {@code "<label>\t<path relative to root, '/'-separated>\n"}
   * per image in order. Soft labels record it to refuse a dataset whose images or order changed.
   */
  public String listingSha256() {
    MessageDigest md = Sha256.newDigest();
    for (ImageEntry e : entries) {
      String rel = root.relativize(e.path()).toString().replace(java.io.File.separatorChar, '/');
      md.update((e.label() + "\t" + rel + "\n").getBytes(StandardCharsets.UTF_8));
    }
    return HexFormat.of().formatHex(md.digest());
  }
}
