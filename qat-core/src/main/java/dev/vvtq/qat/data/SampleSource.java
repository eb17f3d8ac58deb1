package dev.vvtq.qat.data;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * What the {@link DataLoader} reads: {@link #size()} items (images), each yielding {@link
 * #samplesPerItem()} samples (1 for a plain dataset, {@code num_crops} for multi-crop soft labels).
 * Implementations must be thread-safe and take all randomness from the generator they are given.
 */
public interface SampleSource {
  int size();

  /** Samples per item; a loader batch of B samples takes {@code ceil(B / samplesPerItem)} items. */
  int samplesPerItem();

  /** Side of the square model input. */
  int inputSize();

  int numClasses();

  /** True when samples carry soft targets {@code [C]}; false for integer labels. */
  boolean softTargets();

  /** The samples of item {@code index}, exactly {@link #samplesPerItem()} of them. */
  List<Sample> load(int index, RandomGenerator random);
}
