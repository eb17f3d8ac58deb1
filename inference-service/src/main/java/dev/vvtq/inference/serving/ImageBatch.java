package dev.vvtq.inference.serving;

import dev.vvtq.imaging.EvalPreprocessor;
import dev.vvtq.imaging.ImageDecodeException;
import dev.vvtq.imaging.ImageDecoder;
import java.util.List;

/** Turns encoded images into the model's input, {@code [n, 3, size, size]}, as its evaluation does. */
public final class ImageBatch {
  private ImageBatch() {}

  /**
   * Decodes and preprocesses each image into one buffer.
   *
   * @param names how each image is named in error messages, e.g. {@code image_bytes[2]}
   * @throws InvalidRequestException naming the image and the decoder's reason
   */
  public static float[] preprocess(EvalPreprocessor preprocessor, ImageSizeGuard guard, List<byte[]> images,
      List<String> names) {
    int elements = 3 * preprocessor.inputSize() * preprocessor.inputSize();
    float[] out = new float[Math.multiplyExact(images.size(), elements)];
    for (int i = 0; i < images.size(); i++) {
      byte[] encoded = images.get(i);
      String name = names.get(i);
      if (encoded.length == 0) {
        throw new InvalidRequestException(name + " is empty (0 bytes); send an encoded JPEG, PNG, BMP, TIFF or PPM image");
      }
      guard.check(encoded, name);
      try {
        preprocessor.preprocess(ImageDecoder.decode(encoded, name), out, i * elements);
      } catch (ImageDecodeException e) {
        throw new InvalidRequestException(e.getMessage(), e);
      }
    }
    return out;
  }
}
