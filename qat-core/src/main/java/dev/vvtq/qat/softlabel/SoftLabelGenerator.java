package dev.vvtq.qat.softlabel;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vvtq.artifacts.files.AtomicFiles;
import dev.vvtq.artifacts.manifest.Sha256;
import dev.vvtq.artifacts.safetensors.SafetensorsWriter;
import dev.vvtq.imaging.CropBox;
import dev.vvtq.imaging.PilBilinearResize;
import dev.vvtq.imaging.RgbImage;
import dev.vvtq.qat.data.ImageFolder;
import dev.vvtq.qat.data.SampleSeeds;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Generates FKD soft labels (VVTQ-METHOD section 3): for every training image, M RandomResizedCrop
 * boxes and flip flags drawn from a generator seeded by {@code (seed, image index)}; each crop is
 * resized to the input size (PIL bilinear), flipped, normalised and run through the teacher in
 * batches; the softmax's top-k classes and probabilities are kept with the relative box and flip.
 *
 * <p>Output, in the folder given (the artifact layout's {@code softlabels/<name>/}): {@code
 * shard-NNNNN.safetensors} per {@code imagesPerShard} images with tensors {@code image_index} I64
 * {@code [n]}, {@code label} I64 {@code [n]}, {@code image_size} I32 {@code [n, 2]} (width,
 * height), {@code boxes} F32 {@code [n, M, 4]} (top, left, height, width as fractions), {@code
 * flips} U8 {@code [n, M]}, {@code topk_classes} I32 {@code [n, M, k]}, {@code topk_probs} F32
 * {@code [n, M, k]}; {@code progress.json} listing finished shards with their SHA-256; and, last,
 * {@link SoftLabelManifest#FILE}. A rerun keeps every finished shard whose file still has its
 * recorded SHA-256 and redoes the others; a complete folder whose shards all verify is returned
 * as is (one that fails verification is resumed, redoing the damaged shards).
 */
public final class SoftLabelGenerator {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PROGRESS = "progress.json";
  // Stream id for generation randomness, distinct from the loader's epochs (>= 0) and permutation (-1).
  private static final long GENERATION_STREAM = -2;

  private final SoftLabelSpec spec;

  public SoftLabelGenerator(SoftLabelSpec spec) {
    this.spec = spec;
  }

  /** The shard file name of shard {@code s}. */
  public static String shardFile(int s) {
    return String.format("shard-%05d.safetensors", s);
  }

  /** The M crops of image {@code index} of a {@code width x height} image: a pure function of the seed. */
  public List<CropBoxAndFlip> drawCrops(int index, int width, int height) {
    SplittableRandom random = SampleSeeds.random(spec.seed(), GENERATION_STREAM, index);
    List<CropBoxAndFlip> crops = new ArrayList<>(spec.cropsPerImage());
    for (int m = 0; m < spec.cropsPerImage(); m++) {
      CropBox box = spec.crop().sample(width, height, random);
      crops.add(new CropBoxAndFlip(box, random.nextDouble() < 0.5));
    }
    return crops;
  }

  /** A crop box and its flip flag. */
  public record CropBoxAndFlip(CropBox box, boolean flip) {}

  /**
   * Labels every image of {@code data} into {@code folder}, calling {@code teacher} on batches
   * created on sub-managers of {@code manager}; {@code teacherDescription} goes into the manifest.
   */
  public SoftLabelManifest generate(ImageFolder data, Teacher teacher, String teacherDescription, NDManager manager,
      Path folder, Consumer<GenerationProgress> listener) throws IOException {
    if (spec.topK() > data.numClasses()) {
      throw new IllegalArgumentException("top-k " + spec.topK() + " exceeds the " + data.numClasses() + " classes of " + data.root());
    }
    Files.createDirectories(folder);
    int n = data.size();
    int per = spec.imagesPerShard();
    int shardCount = (n + per - 1) / per;
    SoftLabelManifest plan = new SoftLabelManifest(folder.getFileName().toString(), data.classes(), n, data.listingSha256(),
        spec.cropsPerImage(), spec.topK(), spec.seed(), spec.inputSize(), per, teacherDescription, "", List.of());
    // Round-tripped through text so that it compares equal to the copy read back from progress.json
    // (Jackson reads small longs as ints, and IntNode never equals LongNode).
    ObjectNode identity = (ObjectNode) JSON.readTree(JSON.writeValueAsBytes(plan.identity()));
    if (Files.isRegularFile(folder.resolve(SoftLabelManifest.FILE))) {
      SoftLabelManifest done = SoftLabelManifest.read(folder);
      if (!JSON.readTree(JSON.writeValueAsBytes(done.identity())).equals(identity)) {
        throw new IOException(folder + " already holds complete soft labels made with other parameters or another dataset"
            + " (see its " + SoftLabelManifest.FILE + "); choose another name or delete the folder");
      }
      if (allShardsIntact(folder, done)) {
        listener.accept(new GenerationProgress(shardCount, shardCount, n, n, true, 0));
        return done;
      }
      // A damaged shard under a complete manifest: withdraw the manifest and resume, which redoes it.
      Files.delete(folder.resolve(SoftLabelManifest.FILE));
    }
    ObjectNode progress = readProgress(folder, identity);
    ObjectNode finished = (ObjectNode) progress.get("shards");
    List<SoftLabelManifest.Shard> shards = new ArrayList<>();
    long imagesDone = 0;
    long labelled = 0;
    long start = System.nanoTime();
    for (int s = 0; s < shardCount; s++) {
      int first = s * per;
      int count = Math.min(per, n - first);
      Path file = folder.resolve(shardFile(s));
      JsonNode recorded = finished.get(Integer.toString(s));
      if (recorded != null && Files.isRegularFile(file) && recorded.path("sha256").asText().equals(Sha256.hex(file))
          && recorded.path("first").asInt() == first && recorded.path("count").asInt() == count) {
        shards.add(new SoftLabelManifest.Shard(file.getFileName().toString(), first, count, Files.size(file), recorded.path("sha256").asText()));
        imagesDone += count;
        listener.accept(new GenerationProgress(s + 1, shardCount, imagesDone, n, true, rate(labelled, start)));
        continue;
      }
      finished.remove(Integer.toString(s));
      long before = imagesDone;
      long labelledBefore = labelled;
      int sIndex = s;
      writeShard(data, teacher, manager, file, first, count, done -> listener.accept(
          new GenerationProgress(sIndex, shardCount, before + done, n, false, rate(labelledBefore + done, start))));
      imagesDone += count;
      labelled += count;
      String sha = Sha256.hex(file);
      ObjectNode entry = finished.putObject(Integer.toString(s));
      entry.put("first", first);
      entry.put("count", count);
      entry.put("sha256", sha);
      AtomicFiles.write(folder.resolve(PROGRESS), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(progress));
      shards.add(new SoftLabelManifest.Shard(file.getFileName().toString(), first, count, Files.size(file), sha));
      listener.accept(new GenerationProgress(s + 1, shardCount, imagesDone, n, false, rate(labelled, start)));
    }
    SoftLabelManifest manifest = new SoftLabelManifest(plan.name(), plan.classes(), n, plan.listingSha256(), plan.cropsPerImage(),
        plan.topK(), plan.seed(), plan.inputSize(), per, teacherDescription, Instant.now().toString(), shards);
    manifest.write(folder);
    return manifest;
  }

  private static boolean allShardsIntact(Path folder, SoftLabelManifest manifest) throws IOException {
    for (SoftLabelManifest.Shard s : manifest.shards()) {
      Path file = folder.resolve(s.file());
      if (!Files.isRegularFile(file) || !s.sha256().equals(Sha256.hex(file))) {
        return false;
      }
    }
    return true;
  }

  private static double rate(long images, long startNanos) {
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    return seconds > 0 ? images / seconds : 0;
  }

  private static ObjectNode readProgress(Path folder, ObjectNode identity) throws IOException {
    Path file = folder.resolve(PROGRESS);
    if (Files.isRegularFile(file)) {
      JsonNode p;
      try {
        p = JSON.readTree(file.toFile());
      } catch (IOException e) {
        p = null; // a damaged progress file only costs regenerating the shards
      }
      if (p != null && p.path("identity").equals(identity) && p.path("shards").isObject()) {
        return (ObjectNode) p;
      }
      if (p != null && p.has("identity") && !p.path("identity").equals(identity)) {
        throw new IOException(folder + " holds an unfinished soft-label run with other parameters or another dataset (see "
            + PROGRESS + "); choose another name or delete the folder");
      }
    }
    ObjectNode fresh = JSON.createObjectNode();
    fresh.set("identity", identity);
    fresh.putObject("shards");
    return fresh;
  }

  private void writeShard(ImageFolder data, Teacher teacher, NDManager manager, Path file, int first, int count,
      java.util.function.LongConsumer imagesDone) throws IOException {
    int m = spec.cropsPerImage();
    int k = spec.topK();
    int side = spec.inputSize();
    int cropFloats = 3 * side * side;
    int classes = data.numClasses();
    long[] indices = new long[count];
    long[] labels = new long[count];
    int[] sizes = new int[2 * count];
    float[] boxes = new float[count * m * 4];
    byte[] flips = new byte[count * m];
    int[] topClasses = new int[count * m * k];
    float[] topProbs = new float[count * m * k];
    int batch = spec.batchSize();
    float[] buffer = new float[batch * cropFloats];
    int[] slots = new int[batch]; // which (image, crop) slot, as local * m + crop, each buffer row belongs to
    int filled = 0;
    for (int local = 0; local < count; local++) {
      int index = first + local;
      RgbImage image = data.load(index);
      indices[local] = index;
      labels[local] = data.entry(index).label();
      sizes[2 * local] = image.width();
      sizes[2 * local + 1] = image.height();
      List<CropBoxAndFlip> crops = drawCrops(index, image.width(), image.height());
      for (int c = 0; c < m; c++) {
        CropBoxAndFlip crop = crops.get(c);
        int slot = local * m + c;
        System.arraycopy(crop.box().toRelative(image.width(), image.height()), 0, boxes, 4 * slot, 4);
        flips[slot] = (byte) (crop.flip() ? 1 : 0);
        RgbImage cut = PilBilinearResize.resize(image.crop(crop.box()), side, side);
        spec.normalization().toChw(crop.flip() ? cut.flipHorizontal() : cut, buffer, filled * cropFloats);
        slots[filled++] = slot;
        if (filled == batch) {
          runTeacher(teacher, manager, buffer, slots, filled, classes, topClasses, topProbs);
          filled = 0;
        }
      }
      imagesDone.accept(local + 1L);
    }
    if (filled > 0) {
      runTeacher(teacher, manager, buffer, slots, filled, classes, topClasses, topProbs);
    }
    SafetensorsWriter w = new SafetensorsWriter();
    w.putMetadata("format", SoftLabelManifest.FORMAT);
    w.putMetadata("first", Integer.toString(first));
    w.putMetadata("count", Integer.toString(count));
    w.addI64("image_index", new long[] {count}, indices);
    w.addI64("label", new long[] {count}, labels);
    w.addI32("image_size", new long[] {count, 2}, sizes);
    w.addF32("boxes", new long[] {count, m, 4}, boxes);
    w.addU8("flips", new long[] {count, m}, flips);
    w.addI32("topk_classes", new long[] {count, m, k}, topClasses);
    w.addF32("topk_probs", new long[] {count, m, k}, topProbs);
    w.writeTo(file);
  }

  private void runTeacher(Teacher teacher, NDManager manager, float[] buffer, int[] slots, int rows, int classes,
      int[] topClasses, float[] topProbs) {
    int side = spec.inputSize();
    int k = spec.topK();
    float[] logits;
    try (NDManager batchManager = manager.newSubManager()) {
      float[] input = rows * 3 * side * side == buffer.length ? buffer : java.util.Arrays.copyOf(buffer, rows * 3 * side * side);
      NDArray images = batchManager.create(input, new Shape(rows, 3, side, side));
      NDArray out = teacher.logits(images);
      Shape shape = out.getShape();
      if (shape.dimension() != 2 || shape.get(0) != rows || shape.get(1) != classes) {
        throw new IllegalStateException("teacher returned logits of shape " + shape + " for " + rows
            + " crops; expected (" + rows + ", " + classes + ") for the dataset's " + classes + " classes");
      }
      logits = out.toType(DataType.FLOAT32, false).toFloatArray();
      out.close();
    }
    double[] p = new double[classes];
    for (int r = 0; r < rows; r++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < classes; c++) {
        max = Math.max(max, logits[r * classes + c]);
      }
      if (!Double.isFinite(max)) {
        throw new IllegalStateException("teacher logits of crop slot " + slots[r] + " are not finite (max " + max + ")");
      }
      double sum = 0;
      for (int c = 0; c < classes; c++) {
        p[c] = Math.exp(logits[r * classes + c] - max);
        sum += p[c];
      }
      boolean[] taken = new boolean[classes];
      int base = slots[r] * k;
      for (int j = 0; j < k; j++) {
        int best = -1;
        for (int c = 0; c < classes; c++) {
          if (!taken[c] && (best < 0 || p[c] > p[best])) {
            best = c;
          }
        }
        taken[best] = true;
        topClasses[base + j] = best;
        topProbs[base + j] = (float) (p[best] / sum);
      }
    }
  }
}
