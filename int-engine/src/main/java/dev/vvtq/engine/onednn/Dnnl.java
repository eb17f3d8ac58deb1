package dev.vvtq.engine.onednn;

import static org.bytedeco.dnnl.global.dnnl.*;

import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.javacpp.BytePointer;

/** Small helpers over oneDNN's C API: status checks, descriptors, aligned native buffers. */
final class Dnnl {
  /** oneDNN's kernels read 64-byte lines; native buffers start on one. */
  static final int ALIGN = 64;

  private Dnnl() {}

  static void check(int status, String what) {
    if (status != dnnl_success) {
      throw new IllegalStateException("oneDNN " + what + " failed with status " + status);
    }
  }

  /** A plain row-major ({@code ab}) 2-D descriptor. */
  static dnnl_memory_desc rowMajor(long rows, long cols, int type) {
    dnnl_memory_desc md = new dnnl_memory_desc();
    check(dnnl_memory_desc_create_with_tag(md, 2, new long[] {rows, cols}, type, dnnl_ab), "memory_desc_create");
    return md;
  }

  /** A 2-D descriptor with the given tag ({@code dnnl_format_tag_any} lets a primitive choose). */
  static dnnl_memory_desc tagged(long d0, long d1, int type, int tag) {
    dnnl_memory_desc md = new dnnl_memory_desc();
    check(dnnl_memory_desc_create_with_tag(md, 2, new long[] {d0, d1}, type, tag), "memory_desc_create");
    return md;
  }

  /** A 2-D descriptor with explicit strides (in elements). */
  static dnnl_memory_desc strided(long d0, long d1, int type, long s0, long s1) {
    dnnl_memory_desc md = new dnnl_memory_desc();
    check(dnnl_memory_desc_create_with_strides(md, 2, new long[] {d0, d1}, type, new long[] {s0, s1}),
        "memory_desc_create_with_strides");
    return md;
  }

  /** A native buffer of {@code bytes} bytes (zeroed), positioned on a 64-byte boundary. */
  static BytePointer allocate(long bytes) {
    BytePointer p = new BytePointer(Math.max(1, bytes) + ALIGN);
    org.bytedeco.javacpp.Pointer.memset(p, 0, Math.max(1, bytes) + ALIGN);
    long misalign = p.address() % ALIGN;
    return p.position(misalign == 0 ? 0 : ALIGN - misalign);
  }

  /** A direct buffer over {@code p} from its position (JavaCPP's asByteBuffer starts at the address). */
  static java.nio.ByteBuffer view(BytePointer p) {
    java.nio.ByteBuffer all = p.asByteBuffer();
    return all.position((int) p.position()).slice().order(java.nio.ByteOrder.nativeOrder());
  }
}
