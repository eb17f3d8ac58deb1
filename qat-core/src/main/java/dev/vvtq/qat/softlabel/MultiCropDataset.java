package dev.vvtq.qat.softlabel;

import dev.vvtq.imaging.CropBox;
import dev.vvtq.imaging.Normalization;
import dev.vvtq.imaging.PilBilinearResize;
import dev.vvtq.imaging.RgbImage;
import dev.vvtq.qat.data.DecodedImageCache;
import dev.vvtq.qat.data.ImageFolder;
import dev.vvtq.qat.data.Sample;
import dev.vvtq.qat.data.SampleSource;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The multi-crop distillation dataset (VVTQ-METHOD section 3): each image yields {@code numCrops}
 * of its M stored crops per pass, chosen by a fresh permutation drawn from the generator the loader
 * passes (so a different subset every epoch); each crop is cut at exactly its stored box, resized
 * to the input size (PIL bilinear), flipped as stored and normalised, with the soft target of the
 * chosen {@link SoftTargetType}. The loader therefore takes {@code ceil(batch / numCrops)} images
 * per batch of {@code batch} crops.
 */
public final class MultiCropDataset implements SampleSource {
  private final ImageFolder images;
  private final SoftLabelStore labels;
  private final int numCrops;
  private final int inputSize;
  private final SoftTargetType targetType;
  private final Normalization normalization;
  private final DecodedImageCache cache;

  /**
   * @param cache decoded-image cache, or null
   */
  public MultiCropDataset(ImageFolder images, SoftLabelStore labels, int numCrops, int inputSize, SoftTargetType targetType,
      Normalization normalization, DecodedImageCache cache) {
    labels.checkMatches(images);
    if (numCrops < 1 || numCrops > labels.cropsPerImage()) {
      throw new IllegalArgumentException("num_crops " + numCrops + " must be in [1, " + labels.cropsPerImage()
          + "], the crops stored per image");
    }
    targetType.checkUsable(labels.topK(), labels.numClasses());
    this.images = images;
    this.labels = labels;
    this.numCrops = numCrops;
    this.inputSize = inputSize;
    this.targetType = targetType;
    this.normalization = normalization;
    this.cache = cache;
  }

  @Override
  public int size() {
    return images.size();
  }

  @Override
  public int samplesPerItem() {
    return numCrops;
  }

  @Override
  public int inputSize() {
    return inputSize;
  }

  @Override
  public int numClasses() {
    return labels.numClasses();
  }

  @Override
  public boolean softTargets() {
    return true;
  }

  /** Indices of the stored crops this generator selects, in order: a partial Fisher-Yates of the M crops. */
  public int[] chooseCrops(RandomGenerator random) {
    int m = labels.cropsPerImage();
    int[] perm = new int[m];
    for (int i = 0; i < m; i++) {
      perm[i] = i;
    }
    for (int i = 0; i < numCrops; i++) {
      int j = i + random.nextInt(m - i);
      int t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
    }
    return java.util.Arrays.copyOf(perm, numCrops);
  }

  @Override
  public List<Sample> load(int index, RandomGenerator random) {
    SoftLabelRecord record = labels.record(index);
    RgbImage image = cache != null ? cache.get(index, images::load) : images.load(index);
    if (image.width() != record.width() || image.height() != record.height()) {
      throw new IllegalStateException(images.entry(index).path() + " is " + image.width() + "x" + image.height()
          + " but its soft labels were made on a " + record.width() + "x" + record.height() + " image; regenerate them");
    }
    List<Sample> out = new ArrayList<>(numCrops);
    for (int c : chooseCrops(random)) {
      CropLabel crop = record.crops().get(c);
      CropBox box = crop.pixelBox(image.width(), image.height());
      RgbImage cut = PilBilinearResize.resize(image.crop(box), inputSize, inputSize);
      float[] chw = normalization.toChw(crop.flip() ? cut.flipHorizontal() : cut);
      float[] target = targetType.recover(record.label(), crop.classes(), crop.probabilities(), labels.numClasses());
      out.add(new Sample(chw, record.label(), target));
    }
    return out;
  }
}
