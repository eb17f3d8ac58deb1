package dev.vvtq.qat.softlabel;

import dev.vvtq.imaging.Normalization;
import dev.vvtq.imaging.RandomResizedCrop;

/**
 * Parameters of soft-label generation.
 *
 * @param cropsPerImage M, crops drawn per training image
 * @param topK probabilities kept per crop
 * @param seed root of the crop boxes and flips (image {@code i} uses {@code (seed, i)})
 * @param inputSize side of the square crops fed to the teacher
 * @param imagesPerShard images per safetensors shard (the unit of resumption)
 * @param batchSize crops per teacher call
 * @param crop box sampling (torchvision's defaults: scale (0.08, 1), ratio (3/4, 4/3))
 * @param normalization normalisation of the teacher's input
 */
public record SoftLabelSpec(
    int cropsPerImage, int topK, long seed, int inputSize, int imagesPerShard, int batchSize,
    RandomResizedCrop crop, Normalization normalization) {

  public SoftLabelSpec {
    if (cropsPerImage < 1 || topK < 1 || inputSize < 1 || imagesPerShard < 1 || batchSize < 1) {
      throw new IllegalArgumentException("crops per image, top-k, input size, images per shard and batch size must all be >= 1, got M="
          + cropsPerImage + " k=" + topK + " input=" + inputSize + " shard=" + imagesPerShard + " batch=" + batchSize);
    }
  }

  /** torchvision's crop ranges and ImageNet normalisation; 1000 images per shard. */
  public static SoftLabelSpec of(int cropsPerImage, int topK, long seed, int inputSize, int batchSize) {
    return new SoftLabelSpec(cropsPerImage, topK, seed, inputSize, 1000, batchSize, RandomResizedCrop.DEFAULT, Normalization.IMAGENET);
  }

  /** The same spec with another shard size. */
  public SoftLabelSpec withImagesPerShard(int images) {
    return new SoftLabelSpec(cropsPerImage, topK, seed, inputSize, images, batchSize, crop, normalization);
  }
}
