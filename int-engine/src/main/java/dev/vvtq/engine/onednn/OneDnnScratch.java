package dev.vvtq.engine.onednn;

import static org.bytedeco.dnnl.global.dnnl.*;

import dev.vvtq.engine.kernels.KernelScratch;
import java.nio.ByteBuffer;
import java.nio.IntBuffer;
import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.dnnl_exec_arg_t;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_stream;
import org.bytedeco.javacpp.BytePointer;

/**
 * One thread's oneDNN state: its stream, native left-operand and result buffers, and the matmul
 * primitives it has run, one per (right operand, rows, column range), each with its memory objects
 * bound to those buffers, so a product after the first of its shape allocates nothing.
 */
final class OneDnnScratch implements KernelScratch {
  /** A ready matmul: primitive and its three arguments. */
  static final class Exec {
    final dnnl_primitive primitive;
    final dnnl_memory[] memories;
    final dnnl_exec_arg_t args;

    Exec(dnnl_primitive primitive, dnnl_memory src, dnnl_memory weights, dnnl_memory dst) {
      this.primitive = primitive;
      this.memories = new dnnl_memory[] {src, weights, dst};
      this.args = new dnnl_exec_arg_t(3);
      args.position(0).arg(DNNL_ARG_SRC).memory(src);
      args.position(1).arg(DNNL_ARG_WEIGHTS).memory(weights);
      args.position(2).arg(DNNL_ARG_DST).memory(dst);
      args.position(0);
    }

    void destroy() {
      dnnl_primitive_destroy(primitive);
      for (dnnl_memory m : memories) {
        dnnl_memory_destroy(m);
      }
      args.close();
    }
  }

  /** The float kernels' own scratch (the float parts run on the Vector API kernels). */
  final KernelScratch floats;
  final dnnl_stream stream = new dnnl_stream();
  /** Left operand bytes staged on the heap, then copied into {@link #src} in one bulk put. */
  byte[] stage = new byte[0];
  BytePointer src;
  ByteBuffer srcBuffer;
  BytePointer dst;
  IntBuffer dstBuffer;
  long srcCapacity;
  long dstCapacity;
  final ExecMap execs = new ExecMap();
  private boolean closed;

  OneDnnScratch(dnnl_engine engine, KernelScratch floats) {
    this.floats = floats;
    Dnnl.check(dnnl_stream_create(stream, engine, dnnl_stream_default_flags), "stream_create");
  }

  /**
   * Makes room for {@code srcBytes} of left operand and {@code dstInts} results. Growing rebinds
   * nothing: it drops the primitives bound to the old buffers (they are recreated on next use).
   */
  void ensure(long srcBytes, long dstInts) {
    if (srcBytes <= srcCapacity && dstInts <= dstCapacity) {
      return;
    }
    execs.destroyAll();
    if (src != null) {
      src.close();
      dst.close();
    }
    srcCapacity = Math.max(srcBytes, 2 * srcCapacity);
    dstCapacity = Math.max(dstInts, 2 * dstCapacity);
    src = Dnnl.allocate(srcCapacity);
    srcBuffer = Dnnl.view(src);
    dst = Dnnl.allocate(4 * dstCapacity);
    dstBuffer = Dnnl.view(dst).asIntBuffer();
    stage = new byte[(int) srcCapacity];
  }

  @Override
  public long bytesHeld() {
    return floats.bytesHeld() + 2 * srcCapacity + 4 * dstCapacity;
  }

  synchronized void free() {
    if (closed) {
      return;
    }
    closed = true;
    execs.destroyAll();
    dnnl_stream_destroy(stream);
    if (src != null) {
      src.close();
      dst.close();
    }
  }

  /** Open addressing from a long key (never 0) to an {@link Exec}: lookups allocate nothing. */
  static final class ExecMap {
    private long[] keys = new long[64];
    private Exec[] values = new Exec[64];
    private int size;

    Exec get(long key) {
      int mask = keys.length - 1;
      for (int i = mix(key) & mask; ; i = (i + 1) & mask) {
        if (keys[i] == key) {
          return values[i];
        }
        if (keys[i] == 0) {
          return null;
        }
      }
    }

    void put(long key, Exec e) {
      if (2 * (size + 1) > keys.length) {
        long[] k = keys;
        Exec[] v = values;
        keys = new long[2 * k.length];
        values = new Exec[2 * k.length];
        size = 0;
        for (int i = 0; i < k.length; i++) {
          if (k[i] != 0) {
            put(k[i], v[i]);
          }
        }
      }
      int mask = keys.length - 1;
      int i = mix(key) & mask;
      while (keys[i] != 0) {
        i = (i + 1) & mask;
      }
      keys[i] = key;
      values[i] = e;
      size++;
    }

    void destroyAll() {
      for (int i = 0; i < keys.length; i++) {
        if (keys[i] != 0) {
          values[i].destroy();
          keys[i] = 0;
          values[i] = null;
        }
      }
      size = 0;
    }

    private static int mix(long key) {
      long h = key * 0x9E3779B97F4A7C15L;
      return (int) (h ^ (h >>> 32));
    }
  }
}
