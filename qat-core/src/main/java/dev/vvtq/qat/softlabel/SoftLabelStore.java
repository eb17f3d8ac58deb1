package dev.vvtq.qat.softlabel;

import dev.vvtq.artifacts.manifest.Sha256;
import dev.vvtq.artifacts.safetensors.DType;
import dev.vvtq.artifacts.safetensors.SafetensorsReader;
import dev.vvtq.artifacts.safetensors.TensorInfo;
import dev.vvtq.qat.data.ImageFolder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads a soft-label folder written by {@link SoftLabelGenerator}: trusts only its manifest,
 * memory-maps each shard on first use after checking its SHA-256 against the manifest, and serves
 * the record of any image. Thread-safe; close it to unmap the shards.
 */
public final class SoftLabelStore implements AutoCloseable {
  private final Path folder;
  private final SoftLabelManifest manifest;
  private final ShardView[] views;

  /** Typed views of one open shard. */
  private record ShardView(SafetensorsReader reader, LongBuffer labels, IntBuffer sizes, FloatBuffer boxes, ByteBuffer flips,
      IntBuffer classes, FloatBuffer probs) {}

  private SoftLabelStore(Path folder, SoftLabelManifest manifest) {
    this.folder = folder;
    this.manifest = manifest;
    this.views = new ShardView[manifest.shards().size()];
  }

  /** Opens {@code folder}; fails if it has no manifest or the manifest does not cover every image. */
  public static SoftLabelStore open(Path folder) throws IOException {
    SoftLabelManifest m = SoftLabelManifest.read(folder);
    int expectedFirst = 0;
    for (SoftLabelManifest.Shard s : m.shards()) {
      if (s.first() != expectedFirst || s.count() < 1 || s.count() > m.imagesPerShard()) {
        throw new IOException(folder + "/" + SoftLabelManifest.FILE + ": shard " + s.file() + " covers [" + s.first() + ", "
            + (s.first() + s.count()) + "), expected to start at " + expectedFirst + " with at most " + m.imagesPerShard() + " images");
      }
      expectedFirst += s.count();
    }
    if (expectedFirst != m.imageCount()) {
      throw new IOException(folder + "/" + SoftLabelManifest.FILE + ": shards cover " + expectedFirst + " images, the manifest announces " + m.imageCount());
    }
    return new SoftLabelStore(folder, m);
  }

  public SoftLabelManifest manifest() {
    return manifest;
  }

  public int imageCount() {
    return manifest.imageCount();
  }

  public int cropsPerImage() {
    return manifest.cropsPerImage();
  }

  public int topK() {
    return manifest.topK();
  }

  public int numClasses() {
    return manifest.numClasses();
  }

  /** Fails unless these labels were generated for exactly this dataset (classes, images, order). */
  public void checkMatches(ImageFolder data) {
    if (!manifest.classes().equals(data.classes())) {
      throw new IllegalArgumentException("soft labels in " + folder + " were made for classes " + manifest.classes()
          + ", but " + data.root() + " has " + data.classes());
    }
    if (manifest.imageCount() != data.size()) {
      throw new IllegalArgumentException("soft labels in " + folder + " cover " + manifest.imageCount() + " images, but "
          + data.root() + " has " + data.size() + "; regenerate them for this dataset");
    }
    if (!manifest.listingSha256().equals(data.listingSha256())) {
      throw new IllegalArgumentException("soft labels in " + folder + " were made for another listing of images (files renamed,"
          + " added or removed in " + data.root() + "); regenerate them for this dataset");
    }
  }

  /** The record of image {@code index}: label, size and all M stored crops. */
  public SoftLabelRecord record(int index) {
    if (index < 0 || index >= manifest.imageCount()) {
      throw new IndexOutOfBoundsException("image " + index + " is outside [0, " + manifest.imageCount() + ") of " + folder);
    }
    int s = index / manifest.imagesPerShard();
    ShardView v = view(s);
    int local = index - manifest.shards().get(s).first();
    int m = manifest.cropsPerImage();
    int k = manifest.topK();
    List<CropLabel> crops = new ArrayList<>(m);
    for (int c = 0; c < m; c++) {
      int slot = local * m + c;
      float[] box = new float[4];
      for (int j = 0; j < 4; j++) {
        box[j] = v.boxes.get(4 * slot + j);
      }
      int[] classes = new int[k];
      float[] probs = new float[k];
      for (int j = 0; j < k; j++) {
        classes[j] = v.classes.get(slot * k + j);
        probs[j] = v.probs.get(slot * k + j);
      }
      crops.add(new CropLabel(box, v.flips.get(slot) != 0, classes, probs));
    }
    return new SoftLabelRecord(index, (int) v.labels.get(local), v.sizes.get(2 * local), v.sizes.get(2 * local + 1), crops);
  }

  private synchronized ShardView view(int s) {
    if (views[s] == null) {
      try {
        views[s] = openShard(manifest.shards().get(s));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return views[s];
  }

  private ShardView openShard(SoftLabelManifest.Shard shard) throws IOException {
    Path file = folder.resolve(shard.file());
    if (!Files.isRegularFile(file)) {
      throw new IOException(file + " is missing although " + SoftLabelManifest.FILE + " lists it; rerun the generator on " + folder);
    }
    String sha = Sha256.hex(file);
    if (!sha.equals(shard.sha256())) {
      throw new IOException(file + " has SHA-256 " + sha + " but the manifest records " + shard.sha256()
          + " (corrupted or replaced); delete " + SoftLabelManifest.FILE + " and rerun the generator to redo it");
    }
    SafetensorsReader r = SafetensorsReader.open(file);
    try {
      int n = shard.count();
      int m = manifest.cropsPerImage();
      int k = manifest.topK();
      expect(r, "label", DType.I64, n);
      expect(r, "image_size", DType.I32, n, 2);
      expect(r, "boxes", DType.F32, n, m, 4);
      expect(r, "flips", DType.U8, n, m);
      expect(r, "topk_classes", DType.I32, n, m, k);
      expect(r, "topk_probs", DType.F32, n, m, k);
      return new ShardView(r, r.data("label").asLongBuffer(), r.data("image_size").asIntBuffer(), r.data("boxes").asFloatBuffer(),
          r.data("flips"), r.data("topk_classes").asIntBuffer(), r.data("topk_probs").asFloatBuffer());
    } catch (RuntimeException e) {
      r.close();
      throw e;
    }
  }

  private static void expect(SafetensorsReader r, String name, DType type, long... shape) {
    TensorInfo t = r.info(name);
    if (t.dtype() != type || !Arrays.equals(t.shape(), shape)) {
      throw new IllegalArgumentException(r.source() + ": tensor '" + name + "' is " + t.dtype() + Arrays.toString(t.shape())
          + ", expected " + type + Arrays.toString(shape));
    }
  }

  @Override
  public synchronized void close() throws IOException {
    for (int i = 0; i < views.length; i++) {
      if (views[i] != null) {
        views[i].reader().close();
        views[i] = null;
      }
    }
  }
}
