package dev.vvtq.inference.model;

import dev.vvtq.engine.model.ExportedModel;
import dev.vvtq.engine.model.ModelConfig;
import dev.vvtq.imaging.EvalPreprocessor;
import dev.vvtq.imaging.Normalization;
import java.util.List;

/**
 * The metadata of an exported model that serving needs (docs/EXPORT-FORMAT.md, {@code
 * __metadata__}): architecture, input geometry, quantization, class names and preprocessing.
 *
 * @param architecture the config's {@code name}, e.g. {@code deit_tiny_patch16_224}
 * @param inputSize side of the square input image ({@code img_size})
 * @param cropPct evaluation resizes the shorter side to {@code floor(inputSize / cropPct)}
 * @param mean per-channel mean of Normalize, RGB
 * @param std per-channel standard deviation of Normalize, RGB
 */
public record ModelDescription(
    String architecture,
    int inputSize,
    int patchSize,
    int embedDim,
    int depth,
    int numHeads,
    int wbits,
    int abits,
    List<String> classNames,
    float[] mean,
    float[] std,
    double cropPct) {

  /** Channels of every input image (RGB). */
  public static final int CHANNELS = 3;

  public ModelDescription {
    classNames = List.copyOf(classNames);
    mean = mean.clone();
    std = std.clone();
  }

  /**
   * The serving view of a model the engine has loaded and validated (docs/EXPORT-FORMAT.md): the
   * engine's reader is the only parser of the metadata, so the service and the engine cannot disagree.
   */
  public static ModelDescription of(ExportedModel model) {
    ModelConfig c = model.config();
    if (c.inChans() != CHANNELS) {
      throw new ModelFormatException(model.dir() + ": in_chans is " + c.inChans() + ", only RGB (3) models can be served");
    }
    return new ModelDescription(c.name(), c.imgSize(), c.patchSize(), c.embedDim(), c.depth(), c.numHeads(), c.wbits(),
        c.abits(), model.classNames(), model.mean(), model.std(), model.cropPct());
  }

  public int numClasses() {
    return classNames.size();
  }

  /** Floats in one preprocessed image, {@code 3 * inputSize * inputSize}. */
  public int imageElements() {
    return CHANNELS * inputSize * inputSize;
  }

  /** The model's evaluation preprocessing: shorter side to {@code inputSize / cropPct}, centre crop, normalise. */
  public EvalPreprocessor evalPreprocessor() {
    return new EvalPreprocessor(inputSize, cropPct, new Normalization(mean, std));
  }

  @Override
  public float[] mean() {
    return mean.clone();
  }

  @Override
  public float[] std() {
    return std.clone();
  }
}
