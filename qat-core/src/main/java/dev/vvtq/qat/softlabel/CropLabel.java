package dev.vvtq.qat.softlabel;

import dev.vvtq.imaging.CropBox;

/**
 * One stored crop of an image: its box as fractions {@code [top, left, height, width]} of the image
 * side lengths, whether it is flipped, and the teacher's top-k classes and probabilities (best
 * first).
 */
public record CropLabel(float[] relativeBox, boolean flip, int[] classes, float[] probabilities) {
  /** The exact integer pixel box on a {@code width x height} image. */
  public CropBox pixelBox(int width, int height) {
    return CropBox.fromRelative(relativeBox, width, height);
  }
}
