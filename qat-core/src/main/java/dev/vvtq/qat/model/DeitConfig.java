package dev.vvtq.qat.model;

import dev.vvtq.imaging.EvalPreprocessor;
import dev.vvtq.imaging.Normalization;
import dev.vvtq.qat.quant.QuantRange;

/**
 * A DeiT architecture plus its quantization settings. Factory methods give the timm models and the
 * small-input variants used for CPU work.
 *
 * @param wbits weight bits of the transformer body (-1 for float)
 * @param abits activation bits of the transformer body (-1 for float)
 * @param headWise one step per attention head for q/k/v/attention/output (VVTQ's {@code --head-wise})
 * @param useOffset learned offsets ({@code --use-offset}) on the signed quantizers the reference gives
 *     them: attention input, q, k, v (not head-wise), attention output, MLP input and the pre-head one
 * @param dropPath stochastic depth rate of the last block (linearly increasing from 0)
 * @param cropPct evaluation crop fraction (timm's {@code crop_pct}): the shorter side is resized to
 *     {@code imgSize / cropPct}, then centre-cropped; 0.875 for the ImageNet models, 1.0 for the
 *     small-input variants, whose training sees whole images
 */
public record DeitConfig(
    String name,
    int imgSize,
    int patchSize,
    int inChans,
    int numClasses,
    int embedDim,
    int depth,
    int numHeads,
    double mlpRatio,
    int wbits,
    int abits,
    boolean headWise,
    boolean useOffset,
    double dropPath,
    double cropPct) {

  public DeitConfig {
    if (imgSize <= 0 || patchSize <= 0 || imgSize % patchSize != 0) {
      throw new IllegalArgumentException(
          "image size " + imgSize + " must be a positive multiple of the patch size " + patchSize);
    }
    if (embedDim % numHeads != 0) {
      throw new IllegalArgumentException(
          "embed dim " + embedDim + " must be divisible by the number of heads " + numHeads);
    }
    if (numClasses < 1) {
      throw new IllegalArgumentException("number of classes must be >= 1, got " + numClasses);
    }
    if (dropPath < 0 || dropPath >= 1) {
      throw new IllegalArgumentException("drop-path must be in [0, 1), got " + dropPath);
    }
    if (!(cropPct > 0 && cropPct <= 1)) {
      throw new IllegalArgumentException("crop_pct must be in (0, 1], got " + cropPct);
    }
    checkBits("wbits", wbits);
    checkBits("abits", abits);
  }

  private static void checkBits(String what, int bits) {
    if (!QuantRange.isFloat(bits) && (bits < 2 || bits > 8)) {
      throw new IllegalArgumentException(
          what + " must be 2..8, or -1/32 for float, got " + bits);
    }
  }

  /** Whether any part of the model is quantized (then patch embedding and head run at 8 bits). */
  public boolean quantized() {
    return !QuantRange.isFloat(wbits) || !QuantRange.isFloat(abits);
  }

  /** Bits of the 8-bit first and last layers, or -1 for a float model. */
  public int edgeBits() {
    return quantized() ? 8 : -1;
  }

  /** Number of patches (tokens without the class token). */
  public int numPatches() {
    int side = imgSize / patchSize;
    return side * side;
  }

  /** Hidden size of the MLP. */
  public int mlpHidden() {
    return (int) (embedDim * mlpRatio);
  }

  /** Per-head dimension. */
  public int headDim() {
    return embedDim / numHeads;
  }

  /** The same architecture with other bit widths. */
  public DeitConfig withBits(int wbits, int abits) {
    return new DeitConfig(name, imgSize, patchSize, inChans, numClasses, embedDim, depth, numHeads,
        mlpRatio, wbits, abits, headWise, useOffset, dropPath, cropPct);
  }

  /** The same model with another classifier size. */
  public DeitConfig withNumClasses(int classes) {
    return new DeitConfig(name, imgSize, patchSize, inChans, classes, embedDim, depth, numHeads,
        mlpRatio, wbits, abits, headWise, useOffset, dropPath, cropPct);
  }

  /** The same model with other quantizer options. */
  public DeitConfig withOptions(boolean headWise, boolean useOffset, double dropPath) {
    return new DeitConfig(name, imgSize, patchSize, inChans, numClasses, embedDim, depth, numHeads,
        mlpRatio, wbits, abits, headWise, useOffset, dropPath, cropPct);
  }

  /** The evaluation preprocessing of this model (resize, centre crop, ImageNet normalisation). */
  public EvalPreprocessor evalPreprocessor() {
    return new EvalPreprocessor(imgSize, cropPct, Normalization.IMAGENET);
  }

  /** Short label such as "W4A4" or "FP32". */
  public String bitsLabel() {
    if (!quantized()) {
      return "FP32";
    }
    return "W" + (QuantRange.isFloat(wbits) ? "32" : wbits) + "A" + (QuantRange.isFloat(abits) ? "32" : abits);
  }
}
