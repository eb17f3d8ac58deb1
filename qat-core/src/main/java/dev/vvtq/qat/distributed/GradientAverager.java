package dev.vvtq.qat.distributed;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import dev.vvtq.qat.nn.Param;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * DDP's gradient averaging: after backward, every gradient (weights, step sizes, offsets) is summed
 * over the ranks and divided by their number, so each rank applies the gradient of the global batch.
 *
 * <p>On the CPU a large gradient is reduced in place in the tensor's own memory (DJL's direct view of
 * a contiguous array), never copied; the many tiny ones (step sizes, offsets, biases below
 * {@link #SMALL_BYTES}) are gathered into one bucket so they cost one call instead of hundreds. On a
 * GPU the gradients are concatenated on the device and cross to the host once and back once per step
 * (Open MPI as Debian builds it cannot read device memory), reduced in buckets of {@link #BUCKET_BYTES}.
 */
public final class GradientAverager implements GradientSync {
  /** Gradients smaller than this share one bucket. */
  static final int SMALL_BYTES = 64 * 1024;

  /** Largest single all-reduce of the staged (GPU) path. */
  static final int BUCKET_BYTES = 32 << 20;

  private final ProcessGroup group;
  private ByteBuffer smallBucket;

  public GradientAverager(ProcessGroup group) {
    this.group = group;
  }

  @Override
  public void synchronize(Collection<Param> params) {
    if (group.size() == 1) {
      return;
    }
    boolean gradMode = JniUtils.isGradMode();
    JniUtils.setGradMode(false);
    try (NDManager scratch = NDManager.newBaseManager(firstDevice(params))) {
      List<NDArray> grads = new ArrayList<>();
      for (Param p : params) {
        NDArray w = p.array();
        if (w.hasGradient()) {
          NDArray g = w.getGradient();
          g.attach(scratch);
          grads.add(g);
        }
      }
      if (grads.isEmpty()) {
        return;
      }
      if (grads.get(0).getDevice().isGpu()) {
        averageStaged(grads, scratch);
      } else {
        averageInPlace(grads);
      }
    } finally {
      JniUtils.setGradMode(gradMode);
    }
  }

  private static Device firstDevice(Collection<Param> params) {
    return params.isEmpty() ? Device.cpu() : params.iterator().next().array().getDevice();
  }

  private void averageInPlace(List<NDArray> grads) {
    List<ByteBuffer> small = new ArrayList<>();
    int smallBytes = 0;
    for (NDArray g : grads) {
      ByteBuffer view = directView(g);
      if (view.remaining() < SMALL_BYTES) {
        small.add(view);
        smallBytes += view.remaining();
      } else {
        group.sumFloatsInPlace(view);
        g.divi(group.size());
      }
    }
    if (smallBucket == null || smallBucket.capacity() < smallBytes) {
      smallBucket = ByteBuffer.allocateDirect(Math.max(smallBytes, 1)).order(ByteOrder.nativeOrder());
    }
    ByteBuffer bucket = smallBucket.clear().limit(smallBytes);
    for (ByteBuffer v : small) {
      bucket.put(v.duplicate());
    }
    bucket.flip();
    group.sumFloatsInPlace(bucket);
    int at = 0;
    for (ByteBuffer v : small) {
      var into = v.duplicate().order(ByteOrder.nativeOrder()).asFloatBuffer();
      for (int i = 0; i < into.limit(); i++) {
        // x / N in float, as the large tensors' divi computes it.
        into.put(i, bucket.getFloat(at) / group.size());
        at += Float.BYTES;
      }
    }
  }

  private void averageStaged(List<NDArray> grads, NDManager scratch) {
    NDList flat = new NDList();
    for (NDArray g : grads) {
      flat.add(g.flatten());
    }
    NDArray all = NDArrays.concat(flat);
    ByteBuffer host = ByteBuffer.allocateDirect(Math.toIntExact(all.size() * Float.BYTES)).order(ByteOrder.nativeOrder());
    host.put(all.toByteBuffer()).flip();
    for (int from = 0; from < host.limit(); from += BUCKET_BYTES) {
      group.sumFloatsInPlace(host.duplicate().position(from).limit(Math.min(host.limit(), from + BUCKET_BYTES)));
    }
    NDArray summed = scratch.create(host.asFloatBuffer(), all.getShape()).toDevice(all.getDevice(), true);
    summed.divi(group.size());
    long at = 0;
    for (NDArray g : grads) {
      long n = g.size();
      summed.get(at + ":" + (at + n)).reshape(g.getShape()).copyTo(g);
      at += n;
    }
  }

  /** The gradient's own memory as a buffer; fails rather than reduce a copy that would be thrown away. */
  private static ByteBuffer directView(NDArray g) {
    ByteBuffer view = g.toByteBuffer(true);
    if (!view.isDirect()) {
      throw new IllegalStateException("gradient of shape " + g.getShape() + " is not a contiguous CPU tensor;"
          + " DJL returned a copy, so an in-place all-reduce would be lost");
    }
    return view.order(ByteOrder.nativeOrder());
  }
}
