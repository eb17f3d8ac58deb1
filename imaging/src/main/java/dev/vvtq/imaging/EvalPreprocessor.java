package dev.vvtq.imaging;

/**
 * Evaluation preprocessing (VVTQ-METHOD section 6, timm's convention): resize the shorter side to
 * {@code floor(input / cropPct)} with PIL bilinear (256 for 224 at the default 0.875; 36 for 32),
 * centre-crop {@code input x input}, normalise. Used by training-time validation, the integer
 * engine and the inference service alike, so all three see identical tensors.
 */
public final class EvalPreprocessor {
  /** timm's and the paper's default crop fraction. */
  public static final double DEFAULT_CROP_PCT = 0.875;

  private final int inputSize;
  private final int resizeSize;
  private final Normalization normalization;

  public EvalPreprocessor(int inputSize, double cropPct, Normalization normalization) {
    if (inputSize <= 0) {
      throw new IllegalArgumentException("input size must be positive, got " + inputSize);
    }
    if (!(cropPct > 0 && cropPct <= 1)) {
      throw new IllegalArgumentException("crop_pct must be in (0, 1], got " + cropPct);
    }
    this.inputSize = inputSize;
    this.resizeSize = (int) Math.floor(inputSize / cropPct);
    this.normalization = normalization;
  }

  /** ImageNet normalisation, crop_pct 0.875. */
  public static EvalPreprocessor imagenet(int inputSize) {
    return new EvalPreprocessor(inputSize, DEFAULT_CROP_PCT, Normalization.IMAGENET);
  }

  public int inputSize() {
    return inputSize;
  }

  /** The shorter side after the resize step. */
  public int resizeSize() {
    return resizeSize;
  }

  /** The resized and centre-cropped 8-bit image, before normalisation. */
  public RgbImage resizeAndCrop(RgbImage image) {
    return CenterCrop.apply(ShorterSideResize.apply(image, resizeSize), inputSize, inputSize);
  }

  /** A float {@code [3, input, input]} array. */
  public float[] preprocess(RgbImage image) {
    return normalization.toChw(resizeAndCrop(image));
  }

  /** Writes {@code [3, input, input]} into a batch buffer at {@code offset}. */
  public void preprocess(RgbImage image, float[] out, int offset) {
    normalization.toChw(resizeAndCrop(image), out, offset);
  }

  /** Decodes an encoded image (JPEG, PNG, ...) and preprocesses it. */
  public float[] preprocess(byte[] encoded, String sourceName) {
    return preprocess(ImageDecoder.decode(encoded, sourceName));
  }
}
