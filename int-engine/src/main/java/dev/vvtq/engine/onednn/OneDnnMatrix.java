package dev.vvtq.engine.onednn;

import static org.bytedeco.dnnl.global.dnnl.*;

import dev.vvtq.engine.kernels.Int8Matrix;
import dev.vvtq.engine.kernels.LowBitMatrix;
import java.nio.ByteBuffer;
import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.javacpp.BytePointer;

/**
 * A right operand {@code W[rows][cols]} of signed bytes in native memory, as oneDNN's matmul weights
 * {@code B = W^T} ({@code cols x rows}): always in plain layout ({@code W} row-major, which serves any
 * column range), and for weights also in the layout the matmul prefers ({@code packed}, full range),
 * reordered once at load.
 */
final class OneDnnMatrix implements LowBitMatrix, Int8Matrix {
  final int id;
  private final int rows;
  private final int cols;
  private final int bits;
  /** {@code W} row-major: B in {@code ba} layout. */
  final BytePointer plain;
  final ByteBuffer plainBuffer;
  /** The matmul's preferred layout of B, or null where plain is what it prefers (per-call operands). */
  // set once at load, before the matrix is shared (published with the prepared model)
  BytePointer packed;
  dnnl_memory_desc packedMd;
  private long packedBytes;

  OneDnnMatrix(int id, int rows, int cols, int bits) {
    this.id = id;
    this.rows = rows;
    this.cols = cols;
    this.bits = bits;
    this.plain = Dnnl.allocate((long) rows * cols);
    this.plainBuffer = Dnnl.view(plain);
  }

  void setPacked(BytePointer p, dnnl_memory_desc md, long bytes) {
    this.packed = p;
    this.packedMd = md;
    this.packedBytes = bytes;
  }

  @Override
  public int rows() {
    return rows;
  }

  @Override
  public int cols() {
    return cols;
  }

  @Override
  public int bits() {
    return bits;
  }

  @Override
  public long bytesHeld() {
    return (long) rows * cols + packedBytes;
  }

  void free() {
    plain.close();
    if (packed != null) {
      packed.close();
      dnnl_memory_desc_destroy(packedMd);
    }
  }
}
