package dev.vvtq.imaging;

import java.util.random.RandomGenerator;

/**
 * The training augmentation of the reference: {@code RandomResizedCrop(input)} (PIL bilinear),
 * {@code RandomHorizontalFlip(0.5)}, {@code ToTensor}, {@code Normalize}. Randomness is drawn in
 * that order (box, then flip) from the generator passed in.
 */
public final class TrainingTransform {
  private final int inputSize;
  private final RandomResizedCrop crop;
  private final Normalization normalization;

  public TrainingTransform(int inputSize, RandomResizedCrop crop, Normalization normalization) {
    if (inputSize <= 0) {
      throw new IllegalArgumentException("input size must be positive, got " + inputSize);
    }
    this.inputSize = inputSize;
    this.crop = crop;
    this.normalization = normalization;
  }

  /** torchvision's default crop ranges and ImageNet normalisation. */
  public static TrainingTransform imagenet(int inputSize) {
    return new TrainingTransform(inputSize, RandomResizedCrop.DEFAULT, Normalization.IMAGENET);
  }

  public int inputSize() {
    return inputSize;
  }

  /** Cuts {@code box}, resizes to the input size, flips when asked: the deterministic part. */
  public RgbImage cropResizeFlip(RgbImage image, CropBox box, boolean flip) {
    RgbImage out = PilBilinearResize.resize(image.crop(box), inputSize, inputSize);
    return flip ? out.flipHorizontal() : out;
  }

  /** Draws a box and a flip, and writes {@code [3, input, input]} into {@code out} at {@code offset}. */
  public void apply(RgbImage image, RandomGenerator random, float[] out, int offset) {
    CropBox box = crop.sample(image.width(), image.height(), random);
    boolean flip = random.nextDouble() < 0.5;
    normalization.toChw(cropResizeFlip(image, box, flip), out, offset);
  }

  /** The normalisation applied last. */
  public Normalization normalization() {
    return normalization;
  }
}
