package dev.vvtq.qat.data;

import dev.vvtq.imaging.EvalPreprocessor;
import dev.vvtq.imaging.RgbImage;
import dev.vvtq.imaging.TrainingTransform;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * An {@link ImageFolder} as a {@link SampleSource} with hard labels: either the training transform
 * (RandomResizedCrop + horizontal flip + normalise) or the evaluation transform (resize shorter
 * side, centre crop, normalise), optionally over a {@link DecodedImageCache}.
 */
public final class ImageFolderSource implements SampleSource {
  private final ImageFolder folder;
  private final TrainingTransform training;
  private final EvalPreprocessor evaluation;
  private final DecodedImageCache cache;

  private ImageFolderSource(ImageFolder folder, TrainingTransform training, EvalPreprocessor evaluation, DecodedImageCache cache) {
    this.folder = folder;
    this.training = training;
    this.evaluation = evaluation;
    this.cache = cache;
  }

  /** Training samples; {@code cache} may be null. */
  public static ImageFolderSource training(ImageFolder folder, TrainingTransform transform, DecodedImageCache cache) {
    return new ImageFolderSource(folder, transform, null, cache);
  }

  /** Evaluation samples (deterministic); {@code cache} may be null. */
  public static ImageFolderSource evaluation(ImageFolder folder, EvalPreprocessor preprocessor, DecodedImageCache cache) {
    return new ImageFolderSource(folder, null, preprocessor, cache);
  }

  public ImageFolder folder() {
    return folder;
  }

  @Override
  public int size() {
    return folder.size();
  }

  @Override
  public int samplesPerItem() {
    return 1;
  }

  @Override
  public int inputSize() {
    return training != null ? training.inputSize() : evaluation.inputSize();
  }

  @Override
  public int numClasses() {
    return folder.numClasses();
  }

  @Override
  public boolean softTargets() {
    return false;
  }

  @Override
  public List<Sample> load(int index, RandomGenerator random) {
    RgbImage img = cache != null ? cache.get(index, folder::load) : folder.load(index);
    int side = inputSize();
    float[] out = new float[3 * side * side];
    if (training != null) {
      training.apply(img, random, out, 0);
    } else {
      evaluation.preprocess(img, out, 0);
    }
    return List.of(Sample.labelled(out, folder.entry(index).label()));
  }
}
