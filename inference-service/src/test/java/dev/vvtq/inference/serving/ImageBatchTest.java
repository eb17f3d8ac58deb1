package dev.vvtq.inference.serving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vvtq.imaging.EvalPreprocessor;
import dev.vvtq.inference.testing.TestImages;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ImageBatchTest {
  private final EvalPreprocessor pre = EvalPreprocessor.imagenet(8);

  @Test
  void imagesAreLaidOutOneAfterAnotherAsEvaluationPreprocessesThem() {
    byte[] a = TestImages.png(12, 10, 1);
    byte[] b = TestImages.png(9, 15, 2);
    float[] batch = ImageBatch.preprocess(pre, new ImageSizeGuard(1000), List.of(a, b), List.of("a", "b"));
    assertArrayEquals(pre.preprocess(a, "a"), Arrays.copyOfRange(batch, 0, 192));
    assertArrayEquals(pre.preprocess(b, "b"), Arrays.copyOfRange(batch, 192, 384));
  }

  @Test
  void oversizedEmptyAndUndecodableImagesAreRefusedByName() {
    ImageSizeGuard guard = new ImageSizeGuard(100);
    InvalidRequestException big = assertThrows(InvalidRequestException.class,
        () -> ImageBatch.preprocess(pre, guard, List.of(TestImages.png(20, 10, 3)), List.of("img[0]")));
    assertTrue(big.getMessage().startsWith("img[0] is 20x10 = 200 pixels, more than this server decodes (100)"), big.getMessage());
    InvalidRequestException empty = assertThrows(InvalidRequestException.class,
        () -> ImageBatch.preprocess(pre, guard, List.of(new byte[0]), List.of("img[1]")));
    assertTrue(empty.getMessage().startsWith("img[1] is empty"), empty.getMessage());
    InvalidRequestException junk = assertThrows(InvalidRequestException.class,
        () -> ImageBatch.preprocess(pre, guard, List.of(new byte[] {1, 2, 3, 4, 5}), List.of("img[2]")));
    assertTrue(junk.getMessage().startsWith("img[2]: cannot decode image"), junk.getMessage());
  }

  @Test
  void topKOrdersByValueAndBreaksTiesByIndex() {
    float[] v = {0.1f, 0.5f, 0.5f, 0.9f, -1f};
    assertArrayEquals(new int[] {3, 1, 2}, TopK.indices(v, 3));
    assertArrayEquals(new int[] {3, 1, 2, 0, 4}, TopK.indices(v, 10));
    float[] p = TopK.softmax(new float[] {1000f, 1000f, 0f}, 0, 3);
    assertArrayEquals(new float[] {0.5f, 0.5f, 0f}, p, 1e-6f);
  }
}
