package dev.vvtq.qat.data;

import dev.vvtq.imaging.RgbImage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.IntFunction;

/**
 * Keeps decoded images in memory, up to a byte budget: worth it for small data sets such as
 * Fashion-MNIST (60,000 x 28 x 28 x 3 bytes = 141 MB) where decoding PNGs dominates. Once the budget
 * is spent, further images are decoded on every use instead of cached. Thread-safe.
 */
public final class DecodedImageCache {
  private final AtomicReferenceArray<RgbImage> images;
  private final long budgetBytes;
  private final AtomicLong usedBytes = new AtomicLong();

  public DecodedImageCache(int size, long budgetBytes) {
    this.images = new AtomicReferenceArray<>(size);
    this.budgetBytes = budgetBytes;
  }

  /** The cached image, or the decoded one (cached when it fits the budget). */
  public RgbImage get(int index, IntFunction<RgbImage> decode) {
    RgbImage img = images.get(index);
    if (img != null) {
      return img;
    }
    img = decode.apply(index);
    long bytes = img.pixels().length;
    if (usedBytes.addAndGet(bytes) <= budgetBytes) {
      if (!images.compareAndSet(index, null, img)) {
        usedBytes.addAndGet(-bytes);
        return images.get(index);
      }
    } else {
      usedBytes.addAndGet(-bytes);
    }
    return img;
  }

  /** Bytes of pixel data held. */
  public long usedBytes() {
    return usedBytes.get();
  }
}
