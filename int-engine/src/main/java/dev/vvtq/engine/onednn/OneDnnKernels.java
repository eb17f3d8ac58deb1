package dev.vvtq.engine.onednn;

import static org.bytedeco.dnnl.global.dnnl.*;

import dev.vvtq.engine.kernels.Int8Matrix;
import dev.vvtq.engine.kernels.KernelScratch;
import dev.vvtq.engine.kernels.Kernels;
import dev.vvtq.engine.kernels.LowBitMatrix;
import dev.vvtq.engine.kernels.QuantizeArgs;
import dev.vvtq.engine.kernels.VectorKernels;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.dnnl_exec_arg_t;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.dnnl.dnnl_stream;
import org.bytedeco.dnnl.dnnl_version_t;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * {@link Kernels} whose integer products are oneDNN int8 matmuls (s8 x s8 with s32 accumulation, JIT
 * kernels for the machine's ISA: VNNI, AMX); the float parts are the Vector API kernels. The integer
 * results are exact, as every implementation's: operands of at most 8 bits, sums far inside int32, and
 * oneDNN's s8-source compensation is exact integer arithmetic. Weights are reordered once into the
 * matmul's preferred layout in native memory; {@link #close()} frees all native memory.
 *
 * <p>Each engine thread calls oneDNN on its own share of the rows, so oneDNN itself should run one
 * thread per call: start the JVM with {@code OMP_NUM_THREADS=1} (its OpenMP runtime reads nothing
 * else); otherwise every engine thread starts an OpenMP team of its own.
 */
public final class OneDnnKernels implements Kernels {
  /** Rows of the matmul that chooses a weight layout: one image's tokens is the common case. */
  private static final int LAYOUT_ROWS = 197;
  /** Key fields of a primitive: matrix id, rows, first and end column (see {@link #key}). */
  private static final int COL_BITS = 12;
  private static final int ROW_BITS = 20;

  private final VectorKernels floats = new VectorKernels();
  private final dnnl_engine engine;
  private final String name;
  private final AtomicInteger ids = new AtomicInteger();
  private final List<OneDnnMatrix> matrices = new ArrayList<>();
  private final List<OneDnnScratch> scratches = new ArrayList<>();
  private boolean closed;

  private OneDnnKernels() {
    engine = new dnnl_engine();
    Dnnl.check(dnnl_engine_create(engine, dnnl_cpu, 0), "engine_create");
    dnnl_version_t v = dnnl_version();
    name = "onednn-" + v.major() + "." + v.minor() + "." + v.patch() + "-" + get_effective_cpu_isa();
  }

  /**
   * Loads oneDNN's natives and creates a CPU engine. Throws {@link LinkageError} where the natives do
   * not load (another OS or architecture, or the jars missing) and {@link IllegalStateException}
   * where oneDNN refuses the CPU.
   */
  public static OneDnnKernels open() {
    return new OneDnnKernels();
  }

  /** Whether the JVM was started with {@code OMP_NUM_THREADS=1} (see the class comment). */
  public static boolean singleThreadedOpenMp() {
    return "1".equals(System.getenv("OMP_NUM_THREADS"));
  }

  @Override
  public String name() {
    return name;
  }

  private static OneDnnMatrix own(Object m) {
    if (!(m instanceof OneDnnMatrix o)) {
      throw new IllegalArgumentException("operand prepared by another kernel implementation: " + m);
    }
    return o;
  }

  private static OneDnnScratch own(KernelScratch s) {
    if (!(s instanceof OneDnnScratch o)) {
      throw new IllegalArgumentException("scratch of another kernel implementation: " + s);
    }
    return o;
  }

  // ---- right operands --------------------------------------------------------------------------

  private synchronized OneDnnMatrix newMatrix(int rows, int cols, int bits) {
    if (closed) {
      throw new IllegalStateException("the oneDNN kernels are closed");
    }
    if (rows < 1 || cols < 1 || cols >= 1 << COL_BITS) {
      throw new IllegalArgumentException("a oneDNN operand needs 1 <= rows and 1 <= cols < " + (1 << COL_BITS)
          + ", got " + rows + " x " + cols);
    }
    OneDnnMatrix m = new OneDnnMatrix(ids.incrementAndGet(), rows, cols, bits);
    matrices.add(m);
    return m;
  }

  private static void checkBits(int bits, int max) {
    if (bits < 2 || bits > max) {
      throw new IllegalArgumentException("operand bits must be in [2, " + max + "], got " + bits);
    }
  }

  /** Copies {@code w} in, checks its range, and reorders it into the layout the matmul prefers. */
  private OneDnnMatrix prepare(byte[] w, int rows, int cols, int bits, int maxBits) {
    checkBits(bits, maxBits);
    if (w.length != rows * cols) {
      throw new IllegalArgumentException(rows + " x " + cols + " weights, got " + w.length + " values");
    }
    int lo = -(1 << (bits - 1));
    int hi = (1 << (bits - 1)) - 1;
    for (int i = 0; i < w.length; i++) {
      if (w[i] < lo || w[i] > hi) {
        throw new IllegalArgumentException("weight " + w[i] + " at " + i + " outside the " + bits + "-bit range");
      }
    }
    OneDnnMatrix m = newMatrix(rows, cols, bits);
    m.plainBuffer.put(0, w, 0, w.length);
    pack(m);
    return m;
  }

  private void pack(OneDnnMatrix m) {
    dnnl_memory_desc src = Dnnl.rowMajor(LAYOUT_ROWS, m.cols(), dnnl_s8);
    dnnl_memory_desc any = Dnnl.tagged(m.cols(), m.rows(), dnnl_s8, dnnl_format_tag_any);
    dnnl_memory_desc dst = Dnnl.rowMajor(LAYOUT_ROWS, m.rows(), dnnl_s32);
    dnnl_memory_desc plain = Dnnl.tagged(m.cols(), m.rows(), dnnl_s8, dnnl_ba);
    dnnl_primitive_desc pd = new dnnl_primitive_desc();
    try {
      Dnnl.check(dnnl_matmul_primitive_desc_create(pd, engine, src, any, null, dst, null), "matmul (layout)");
      dnnl_memory_desc chosen = new dnnl_memory_desc();
      Dnnl.check(dnnl_memory_desc_clone(chosen, dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0)),
          "memory_desc_clone");
      dnnl_primitive_desc_destroy(pd);
      if (dnnl_memory_desc_equal(chosen, plain) != 0) {
        dnnl_memory_desc_destroy(chosen);
        return;
      }
      long size = dnnl_memory_desc_get_size(chosen);
      BytePointer packed = Dnnl.allocate(size);
      reorder(plain, m.plain, chosen, packed);
      m.setPacked(packed, chosen, size);
    } finally {
      dnnl_memory_desc_destroy(src);
      dnnl_memory_desc_destroy(any);
      dnnl_memory_desc_destroy(dst);
      dnnl_memory_desc_destroy(plain);
    }
  }

  private void reorder(dnnl_memory_desc fromMd, Pointer from, dnnl_memory_desc toMd, Pointer to) {
    dnnl_primitive_desc pd = new dnnl_primitive_desc();
    Dnnl.check(dnnl_reorder_primitive_desc_create(pd, fromMd, engine, toMd, engine, null), "reorder");
    dnnl_primitive p = new dnnl_primitive();
    dnnl_memory a = new dnnl_memory();
    dnnl_memory b = new dnnl_memory();
    dnnl_stream s = new dnnl_stream();
    dnnl_exec_arg_t args = new dnnl_exec_arg_t(2);
    try {
      Dnnl.check(dnnl_primitive_create(p, pd), "primitive_create (reorder)");
      Dnnl.check(dnnl_memory_create(a, fromMd, engine, from), "memory_create");
      Dnnl.check(dnnl_memory_create(b, toMd, engine, to), "memory_create");
      Dnnl.check(dnnl_stream_create(s, engine, dnnl_stream_default_flags), "stream_create");
      args.position(0).arg(DNNL_ARG_FROM).memory(a);
      args.position(1).arg(DNNL_ARG_TO).memory(b);
      args.position(0);
      Dnnl.check(dnnl_primitive_execute(p, s, 2, args), "reorder execute");
      Dnnl.check(dnnl_stream_wait(s), "stream_wait");
    } finally {
      args.close();
      dnnl_stream_destroy(s);
      dnnl_memory_destroy(a);
      dnnl_memory_destroy(b);
      dnnl_primitive_destroy(p);
      dnnl_primitive_desc_destroy(pd);
    }
  }

  @Override
  public LowBitMatrix prepareLowBit(byte[] w, int rows, int cols, int bits) {
    return prepare(w, rows, cols, bits, 4);
  }

  @Override
  public Int8Matrix prepareInt8(byte[] w, int rows, int cols, int bits) {
    return prepare(w, rows, cols, bits, 8);
  }

  @Override
  public LowBitMatrix newLowBitOperand(int maxRows, int maxCols) {
    return newMatrix(maxRows, maxCols, 4);
  }

  @Override
  public Int8Matrix newInt8Operand(int maxRows, int maxCols) {
    return newMatrix(maxRows, maxCols, 8);
  }

  @Override
  public void packLowBit(double[] src, int off, int rowStride, int colStride, int rows, int cols, int bits,
      LowBitMatrix dst) {
    checkBits(bits, 4);
    pack(src, off, rowStride, colStride, rows, cols, own(dst));
  }

  @Override
  public void packInt8(double[] src, int off, int rowStride, int colStride, int rows, int cols, int bits,
      Int8Matrix dst) {
    checkBits(bits, 8);
    pack(src, off, rowStride, colStride, rows, cols, own(dst));
  }

  /** Per-call operands are packed whole: their shape is part of every primitive made for them. */
  private static void pack(double[] src, int off, int rowStride, int colStride, int rows, int cols, OneDnnMatrix m) {
    if (rows != m.rows() || cols != m.cols()) {
      throw new IllegalArgumentException("the oneDNN kernels pack per-call operands of their full " + m.rows() + " x "
          + m.cols() + ", got " + rows + " x " + cols);
    }
    java.nio.ByteBuffer b = m.plainBuffer;
    for (int n = 0; n < rows; n++) {
      int base = off + n * rowStride;
      int row = n * cols;
      for (int k = 0; k < cols; k++) {
        b.put(row + k, (byte) src[base + k * colStride]);
      }
    }
  }

  @Override
  public synchronized KernelScratch newScratch(int maxK) {
    if (closed) {
      throw new IllegalStateException("the oneDNN kernels are closed");
    }
    OneDnnScratch s = new OneDnnScratch(engine, floats.newScratch(maxK));
    scratches.add(s);
    return s;
  }

  // ---- integer products ------------------------------------------------------------------------

  @Override
  public void lowBitGemm(double[] a, int aOff, int lda, int aBits, int rows, LowBitMatrix w, int k0, int k1,
      int[] c, int cOff, int ldc, KernelScratch scratch) {
    gemm(a, aOff, lda, rows, own(w), k0, k1, c, cOff, ldc, own(scratch));
  }

  @Override
  public void int8Gemm(double[] a, int aOff, int lda, int aBits, int rows, Int8Matrix w, int k0, int k1,
      int[] c, int cOff, int ldc, KernelScratch scratch) {
    gemm(a, aOff, lda, rows, own(w), k0, k1, c, cOff, ldc, own(scratch));
  }

  private static long key(OneDnnMatrix w, int rows, int k0, int k1) {
    return ((long) w.id << (ROW_BITS + 2 * COL_BITS)) | ((long) rows << (2 * COL_BITS)) | ((long) k0 << COL_BITS) | k1;
  }

  private void gemm(double[] a, int aOff, int lda, int rows, OneDnnMatrix w, int k0, int k1, int[] c, int cOff,
      int ldc, OneDnnScratch s) {
    int n = w.rows();
    if (k0 < 0 || k1 > w.cols() || k0 > k1) {
      throw new IllegalArgumentException("columns [" + k0 + ", " + k1 + ") outside [0, " + w.cols() + ")");
    }
    if (rows <= 0) {
      return;
    }
    if (rows >= 1 << ROW_BITS) {
      throw new IllegalArgumentException(rows + " rows in one oneDNN product, at most " + ((1 << ROW_BITS) - 1));
    }
    if (k0 == k1) {
      for (int r = 0; r < rows; r++) {
        java.util.Arrays.fill(c, cOff + r * ldc, cOff + r * ldc + n, 0);
      }
      return;
    }
    int kk = k1 - k0;
    s.ensure((long) rows * kk, (long) rows * n);
    byte[] stage = s.stage;
    for (int r = 0; r < rows; r++) {
      int from = aOff + r * lda + k0;
      int to = r * kk;
      for (int j = 0; j < kk; j++) {
        stage[to + j] = (byte) a[from + j];
      }
    }
    s.srcBuffer.put(0, stage, 0, rows * kk);
    long key = key(w, rows, k0, k1);
    OneDnnScratch.Exec e = s.execs.get(key);
    if (e == null) {
      e = matmul(w, rows, k0, k1, s);
      s.execs.put(key, e);
    }
    Dnnl.check(dnnl_primitive_execute(e.primitive, s.stream, 3, e.args), "matmul execute");
    Dnnl.check(dnnl_stream_wait(s.stream), "stream_wait");
    for (int r = 0; r < rows; r++) {
      s.dstBuffer.get(r * n, c, cOff + r * ldc, n);
    }
  }

  /** A matmul of {@code rows} x [k0, k1) by {@code w}: packed weights for the full range, else plain. */
  private OneDnnScratch.Exec matmul(OneDnnMatrix w, int rows, int k0, int k1, OneDnnScratch s) {
    int kk = k1 - k0;
    dnnl_memory_desc src = Dnnl.rowMajor(rows, kk, dnnl_s8);
    dnnl_memory_desc dst = Dnnl.rowMajor(rows, w.rows(), dnnl_s32);
    // B = W^T restricted to columns [k0, k1) of W: element (k, n) at n * cols + k
    dnnl_memory_desc plain = Dnnl.strided(kk, w.rows(), dnnl_s8, 1, w.cols());
    dnnl_primitive_desc pd = new dnnl_primitive_desc();
    boolean packed = w.packed != null && k0 == 0 && k1 == w.cols()
        && dnnl_matmul_primitive_desc_create(pd, engine, src, w.packedMd, null, dst, null) == dnnl_success;
    try {
      if (!packed) {
        Dnnl.check(dnnl_matmul_primitive_desc_create(pd, engine, src, plain, null, dst, null), "matmul");
      }
      dnnl_primitive p = new dnnl_primitive();
      Dnnl.check(dnnl_primitive_create(p, pd), "primitive_create (matmul)");
      dnnl_memory srcMem = new dnnl_memory();
      dnnl_memory weiMem = new dnnl_memory();
      dnnl_memory dstMem = new dnnl_memory();
      Dnnl.check(dnnl_memory_create(srcMem, src, engine, s.src), "memory_create");
      Dnnl.check(packed
          ? dnnl_memory_create(weiMem, w.packedMd, engine, w.packed)
          : dnnl_memory_create(weiMem, plain, engine, new BytePointer(w.plain).position(w.plain.position() + k0)),
          "memory_create");
      Dnnl.check(dnnl_memory_create(dstMem, dst, engine, s.dst), "memory_create");
      return new OneDnnScratch.Exec(p, srcMem, weiMem, dstMem);
    } finally {
      dnnl_primitive_desc_destroy(pd);
      dnnl_memory_desc_destroy(src);
      dnnl_memory_desc_destroy(dst);
      dnnl_memory_desc_destroy(plain);
    }
  }

  /** The implementation oneDNN picks for a product of {@code rows} rows by {@code w}, e.g. brg_matmul:avx512_core_vnni. */
  String implementation(Object w, int rows) {
    OneDnnMatrix m = own(w);
    dnnl_memory_desc src = Dnnl.rowMajor(rows, m.cols(), dnnl_s8);
    dnnl_memory_desc dst = Dnnl.rowMajor(rows, m.rows(), dnnl_s32);
    dnnl_memory_desc wei = m.packed != null ? m.packedMd : Dnnl.tagged(m.cols(), m.rows(), dnnl_s8, dnnl_ba);
    dnnl_primitive_desc pd = new dnnl_primitive_desc();
    try (PointerPointer<BytePointer> out = new PointerPointer<>(1)) {
      Dnnl.check(dnnl_matmul_primitive_desc_create(pd, engine, src, wei, null, dst, null), "matmul");
      Dnnl.check(dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, out), "query impl_info_str");
      return out.getString(0);
    } finally {
      dnnl_primitive_desc_destroy(pd);
      dnnl_memory_desc_destroy(src);
      dnnl_memory_desc_destroy(dst);
      if (m.packed == null) {
        dnnl_memory_desc_destroy(wei);
      }
    }
  }

  // ---- float parts: the Vector API kernels -----------------------------------------------------

  @Override
  public void quantize(float[] x, int xOff, int ldx, int rows, int cols, QuantizeArgs q, int qCol, double[] out,
      int outOff, int ldo) {
    floats.quantize(x, xOff, ldx, rows, cols, q, qCol, out, outOff, ldo);
  }

  @Override
  public void dequantize(int[] acc, int accOff, int ldAcc, int rows, int cols, float[] scale, int[] shiftRowSum,
      float[] bias, float[] out, int outOff, int ldo, boolean accumulate) {
    floats.dequantize(acc, accOff, ldAcc, rows, cols, scale, shiftRowSum, bias, out, outOff, ldo, accumulate);
  }

  @Override
  public void dequantizeThenQuantize(int[] acc, int accOff, int ldAcc, int rows, int cols, float[] scale,
      int[] shiftRowSum, float[] bias, int vecOff, QuantizeArgs q, int qCol, double[] out, int outOff, int ldo) {
    floats.dequantizeThenQuantize(acc, accOff, ldAcc, rows, cols, scale, shiftRowSum, bias, vecOff, q, qCol, out,
        outOff, ldo);
  }

  @Override
  public void layerNorm(float[] x, int xOff, int ldx, int rows, int cols, float[] gamma, float[] beta, float eps,
      float[] out, int outOff, int ldo, KernelScratch scratch) {
    floats.layerNorm(x, xOff, ldx, rows, cols, gamma, beta, eps, out, outOff, ldo, own(scratch).floats);
  }

  @Override
  public void layerNormThenQuantize(float[] x, int xOff, int ldx, int rows, int cols, float[] gamma, float[] beta,
      float eps, QuantizeArgs q, int qCol, double[] out, int outOff, int ldo, KernelScratch scratch) {
    floats.layerNormThenQuantize(x, xOff, ldx, rows, cols, gamma, beta, eps, q, qCol, out, outOff, ldo,
        own(scratch).floats);
  }

  @Override
  public void softmax(int[] s, int sOff, int lds, int rows, int cols, float scale, float[] out, int outOff, int ldo) {
    floats.softmax(s, sOff, lds, rows, cols, scale, out, outOff, ldo);
  }

  @Override
  public void softmaxThenQuantize(int[] s, int sOff, int lds, int rows, int cols, float scale, QuantizeArgs q,
      double[] out, int outOff, int ldo, KernelScratch scratch) {
    floats.softmaxThenQuantize(s, sOff, lds, rows, cols, scale, q, out, outOff, ldo, own(scratch).floats);
  }

  @Override
  public void gelu(float[] x, int off, int ld, int rows, int cols, KernelScratch scratch) {
    floats.gelu(x, off, ld, rows, cols, own(scratch).floats);
  }

  @Override
  public void geluThenQuantize(float[] x, int off, int ld, int rows, int cols, QuantizeArgs q, int qCol, double[] out,
      int outOff, int ldo, KernelScratch scratch) {
    floats.geluThenQuantize(x, off, ld, rows, cols, q, qCol, out, outOff, ldo, own(scratch).floats);
  }

  /** Frees every operand, stream and primitive made by these kernels, and the engine. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (OneDnnScratch s : scratches) {
      s.free();
    }
    for (OneDnnMatrix m : matrices) {
      m.free();
    }
    scratches.clear();
    matrices.clear();
    dnnl_engine_destroy(engine);
  }
}
