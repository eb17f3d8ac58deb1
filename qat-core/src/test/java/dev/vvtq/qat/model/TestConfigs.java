package dev.vvtq.qat.model;

/** Small architectures for fast tests. */
public final class TestConfigs {
  private TestConfigs() {}

  /** 16x16 input, patch 4 (16 tokens + cls), dim 32, 2 blocks, 2 heads, 10 classes. */
  public static DeitConfig tiny(int wbits, int abits) {
    return new DeitConfig("test_tiny", 16, 4, 3, 10, 32, 2, 2, 4.0, wbits, abits, false, false, 0.1, 1.0);
  }
}
