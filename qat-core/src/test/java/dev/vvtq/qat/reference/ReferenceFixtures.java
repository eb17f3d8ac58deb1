package dev.vvtq.qat.reference;

import dev.vvtq.qat.model.DeitConfig;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The checkpoints written by the reference's own model code (tools/reference/make_vvtq_fixtures.py):
 * their architecture, and the input batch and logits stored with each.
 */
public final class ReferenceFixtures {
  /** The fixtures' cases: file stem, bits, --use-offset. */
  public static final String[] CASES = {"w4a4", "w4a4_offset", "w2a2_offset"};

  private ReferenceFixtures() {}

  /** 8x8 input, patch 4, width 12, depth 2, 2 heads, 10 classes (bits and offsets come from the file). */
  public static DeitConfig architecture() {
    return new DeitConfig("vvtq_fixture", 8, 4, 3, 10, 12, 2, 2, 4.0, -1, -1, false, false, 0.1, 1.0);
  }

  /** The fixture's .pth copied to {@code dir}. */
  public static Path checkpoint(String name, Path dir) throws Exception {
    Path f = dir.resolve("vvtq_" + name + ".pth");
    Files.write(f, resource("vvtq_" + name + ".pth"));
    return f;
  }

  /** Input batch (NCHW) and the reference's logits. */
  public record Batch(long[] shape, float[] input, int rows, int classes, float[] logits) {
    /** Top-1 class of row {@code r} of {@code logits}. */
    public static int argmax(float[] logits, int r, int classes) {
      int best = 0;
      for (int c = 1; c < classes; c++) {
        if (logits[r * classes + c] > logits[r * classes + best]) {
          best = c;
        }
      }
      return best;
    }
  }

  /** The batch stored with fixture {@code name}. */
  public static Batch batch(String name) throws Exception {
    ByteBuffer b = ByteBuffer.wrap(resource("vvtq_" + name + ".logits.bin")).order(ByteOrder.LITTLE_ENDIAN);
    long[] shape = {b.getInt(), b.getInt(), b.getInt(), b.getInt()};
    float[] x = new float[(int) (shape[0] * shape[1] * shape[2] * shape[3])];
    for (int i = 0; i < x.length; i++) {
      x[i] = b.getFloat();
    }
    int rows = b.getInt();
    int cols = b.getInt();
    float[] logits = new float[rows * cols];
    for (int i = 0; i < logits.length; i++) {
      logits[i] = b.getFloat();
    }
    return new Batch(shape, x, rows, cols, logits);
  }

  static byte[] resource(String name) throws Exception {
    try (InputStream in = ReferenceFixtures.class.getResourceAsStream("/reference/" + name)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource " + name);
      }
      return in.readAllBytes();
    }
  }
}
