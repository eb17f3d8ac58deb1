package dev.vvtq.qat.data;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * A fixed subset of another source (the {@code --limit-train} / {@code --limit-val} quick runs). The
 * subset takes evenly spaced items, so on a class-sorted ImageFolder it keeps every class.
 */
public final class SubsetSource implements SampleSource {
  private final SampleSource source;
  private final int[] indices;

  private SubsetSource(SampleSource source, int[] indices) {
    this.source = source;
    this.indices = indices;
  }

  /** The source itself when {@code limit} is 0 or not smaller than it; else {@code limit} evenly spaced items. */
  public static SampleSource limit(SampleSource source, int limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("limit must be >= 0 (0 = all), got " + limit);
    }
    int n = source.size();
    if (limit == 0 || limit >= n) {
      return source;
    }
    int[] idx = new int[limit];
    for (int i = 0; i < limit; i++) {
      idx[i] = (int) ((long) i * n / limit);
    }
    return new SubsetSource(source, idx);
  }

  /** The underlying item index of subset item {@code i}. */
  public int sourceIndex(int i) {
    return indices[i];
  }

  @Override
  public int size() {
    return indices.length;
  }

  @Override
  public int samplesPerItem() {
    return source.samplesPerItem();
  }

  @Override
  public int inputSize() {
    return source.inputSize();
  }

  @Override
  public int numClasses() {
    return source.numClasses();
  }

  @Override
  public boolean softTargets() {
    return source.softTargets();
  }

  @Override
  public List<Sample> load(int index, RandomGenerator random) {
    return source.load(indices[index], random);
  }
}
