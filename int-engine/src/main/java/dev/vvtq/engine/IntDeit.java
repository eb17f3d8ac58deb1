package dev.vvtq.engine;

import dev.vvtq.engine.kernels.Kernels;
import dev.vvtq.engine.model.ExportedModel;
import dev.vvtq.engine.model.ModelConfig;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Integer inference of an exported VVTQ DeiT (docs/EXPORT-FORMAT.md): normalised images in, logits out.
 *
 * <p>Thread-safe. Each forward pass runs on one of {@link EngineOptions#parallelCalls()} slots, each
 * with {@link EngineOptions#threads()} threads (the caller included) and buffers sized for {@link
 * EngineOptions#maxMicroBatch()} images; callers beyond the slots wait. Larger batches are processed in
 * pieces, so memory stays bounded. Steady-state passes allocate nothing. Call {@link #warmUp()} before
 * reporting a model ready: until the JIT has compiled the kernels they run about 100 times slower.
 */
public final class IntDeit implements AutoCloseable {

  /** A forward pass with its threads and buffers. */
  private static final class Slot {
    final WorkerTeam team;
    final ForwardPass pass;
    final OpTimer timer;
    final long[] helperIds;

    Slot(WorkerTeam team, ForwardPass pass, OpTimer timer) {
      this.team = team;
      this.pass = pass;
      this.timer = timer;
      this.helperIds = team.threadIds();
    }
  }

  private static final java.lang.management.ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  /** How long a warm-up waits on a pass that still allocates a little before it reports it as settled. */
  private static final Duration SETTLE = Duration.ofSeconds(3);

  private final PreparedModel model;
  private final EngineOptions options;
  private final String kernelsName;
  private final List<Slot> slots = new ArrayList<>();
  private final BlockingQueue<Slot> free;
  private final Object profileLock = new Object();
  private final long[] profileNanos = new long[OpClass.COUNT];
  private long profileWall;
  private int profileImages;
  private volatile boolean closed;

  private IntDeit(ExportedModel exported, EngineOptions options) {
    this.options = options;
    Kernels kernels = options.kernels().get();
    this.kernelsName = kernels.name();
    this.model = new PreparedModel(exported, kernels);
    this.free = new ArrayBlockingQueue<>(options.parallelCalls());
    for (int i = 0; i < options.parallelCalls(); i++) {
      WorkerTeam team = new WorkerTeam(options.threads(), options.spinMicros() * 1000, "int-engine-" + i);
      OpTimer timer = new OpTimer(options.profile(), options.threads());
      Slot s = new Slot(team, new ForwardPass(model, kernels, team, timer, options.maxMicroBatch()), timer);
      slots.add(s);
      free.add(s);
    }
  }

  /** Loads and validates {@code models/<name>/<version>/} from a local folder and prepares it. */
  public static IntDeit load(Path modelDir, EngineOptions options) throws IOException {
    return new IntDeit(ExportedModel.load(modelDir), options);
  }

  /** Prepares an already loaded model; the engine keeps no reference to {@code model}. */
  public static IntDeit of(ExportedModel model, EngineOptions options) {
    return new IntDeit(model, options);
  }

  public ModelConfig config() {
    return model.config;
  }

  public List<String> classNames() {
    return model.classNames;
  }

  public EngineOptions options() {
    return options;
  }

  /** Name of the kernel implementation in use. */
  public String kernelsName() {
    return kernelsName;
  }

  /** Floats of one input image: C x H x W, normalised with the model's mean and std. */
  public int imageFloats() {
    return model.config.imageFloats();
  }

  /** Logits per image. */
  public int numClasses() {
    return model.config.numClasses();
  }

  /** Logits of {@code count} images stored one after another in {@code images}. */
  public float[] forward(float[] images, int count) {
    float[] logits = new float[count * numClasses()];
    forward(images, 0, count, logits, 0);
    return logits;
  }

  /**
   * Logits of {@code count} images (C x H x W floats each, from {@code imagesOff}) into {@code
   * logits[logitsOff, logitsOff + count * numClasses())}. Allocates nothing once warm. Blocks while
   * every slot is busy; an interrupt while waiting raises {@link IllegalStateException} with the
   * interrupt flag set.
   */
  public void forward(float[] images, int imagesOff, int count, float[] logits, int logitsOff) {
    int per = imageFloats();
    int classes = numClasses();
    if (count < 0 || imagesOff < 0 || (long) imagesOff + (long) count * per > images.length) {
      throw new IllegalArgumentException(count + " images of " + per + " floats from " + imagesOff
          + " do not fit an input of " + images.length + " floats");
    }
    if (logitsOff < 0 || (long) logitsOff + (long) count * classes > logits.length) {
      throw new IllegalArgumentException(count + " x " + classes + " logits from " + logitsOff
          + " do not fit an output of " + logits.length + " floats");
    }
    if (count == 0) {
      return;
    }
    Slot slot = acquire();
    try {
      long t0 = System.nanoTime();
      int piece = slot.pass.maxBatch();
      for (int i = 0; i < count; i += piece) {
        int n = Math.min(piece, count - i);
        slot.pass.run(images, imagesOff + i * per, n, logits, logitsOff + i * classes);
      }
      if (slot.timer.enabled()) {
        long wall = System.nanoTime() - t0;
        synchronized (profileLock) {
          slot.timer.drainInto(profileNanos);
          profileWall += wall;
          profileImages += count;
        }
      }
    } finally {
      free.add(slot);
    }
  }

  private Slot acquire() {
    try {
      while (true) {
        if (closed) {
          throw new IllegalStateException("the engine is closed");
        }
        Slot s = free.poll(50, java.util.concurrent.TimeUnit.MILLISECONDS);
        if (s != null) {
          if (closed) {
            free.add(s);
            throw new IllegalStateException("the engine is closed");
          }
          return s;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for a free forward slot", e);
    }
  }

  /** The k most probable classes of image {@code image} of a {@link #forward} result. */
  public List<Prediction> topK(float[] logits, int image, int k) {
    return TopK.of(logits, image * numClasses(), numClasses(), k, model.classNames);
  }

  /** {@link #warmUp(Duration)} with a 60-second budget. */
  public WarmUpReport warmUp() {
    return warmUp(Duration.ofSeconds(60));
  }

  /**
   * Runs single-image passes on synthetic input until the kernels are compiled: the engine's threads
   * allocate nothing during three passes in a row (interpreted and C1-compiled Vector API code
   * allocates a box per vector) and the time per pass has stopped falling, or a pass allocates under
   * 64 KiB, has not got faster for 50 passes and has allocated the same for the last 3 seconds (the
   * report then shows what it still allocates), or {@code budget} is spent.
   * Every slot runs at least once.
   */
  public WarmUpReport warmUp(Duration budget) {
    long start = System.nanoTime();
    long deadline = start + budget.toNanos();
    float[] image = new float[imageFloats()];
    Random rnd = new Random(42);
    for (int i = 0; i < image.length; i++) {
      image[i] = (float) rnd.nextGaussian();
    }
    float[] logits = new float[numClasses()];
    Slot slot = acquire();
    int passes = 0;
    double first = 0;
    double best = Double.MAX_VALUE;
    double last = 0;
    long allocated = -1;
    int clean = 0;
    int sinceBest = 0;
    long allocationChangedAt = start;
    long settleNanos = Math.min(SETTLE.toNanos(), budget.toNanos() / 2);
    try {
      // what measuring allocates itself (the result array), to subtract
      long probe = allocatedBytes(slot);
      long overhead = allocatedBytes(slot) - probe;
      while (System.nanoTime() < deadline) {
        long a0 = allocatedBytes(slot);
        long t0 = System.nanoTime();
        slot.pass.run(image, 0, 1, logits, 0);
        last = (System.nanoTime() - t0) / 1e6;
        long a1 = allocatedBytes(slot);
        long before = allocated;
        allocated = a0 < 0 ? -1 : Math.max(0, a1 - a0 - overhead);
        if (allocated != before) {
          allocationChangedAt = System.nanoTime();
        }
        if (passes++ == 0) {
          first = last;
        }
        sinceBest = last < 0.98 * best ? 0 : sinceBest + 1;
        best = Math.min(best, last);
        clean = allocated == 0 ? clean + 1 : 0;
        boolean fast = last < 1.25 * best;
        // A pass that still allocates a little (JDK 17's C2 sometimes leaves a few boxes in place;
        // uncompiled kernels allocate megabytes) after 50 passes without getting faster will not
        // improve by waiting: report it rather than spin through the whole budget. Passes alone are no
        // clock: a small model runs 50 passes in 2 ms, long before C2 has compiled the kernels.
        boolean settled = passes >= 50 && sinceBest >= 50 && allocated >= 0 && allocated < 64 * 1024
            && System.nanoTime() - allocationChangedAt >= settleNanos;
        if ((clean >= 3 || allocated < 0 && passes >= 50 || settled) && fast && passes >= 5) {
          break;
        }
      }
      if (slot.timer.enabled()) {
        slot.timer.drainInto(new long[OpClass.COUNT]); // warm-up does not count in the profile
      }
    } finally {
      free.add(slot);
    }
    for (int i = 1; i < slots.size(); i++) {
      forward(image, 0, 1, logits, 0);
    }
    return new WarmUpReport(passes, first, last, allocated, (System.nanoTime() - start) / 1e9);
  }

  /** Bytes allocated so far by the threads of a slot (this thread runs as its thread 0), or -1. */
  private static long allocatedBytes(Slot slot) {
    if (!(THREADS instanceof com.sun.management.ThreadMXBean mx) || !mx.isThreadAllocatedMemoryEnabled()) {
      return -1;
    }
    long sum = 0;
    for (long b : mx.getThreadAllocatedBytes(slot.helperIds)) {
      sum += b;
    }
    return sum + mx.getThreadAllocatedBytes(Thread.currentThread().getId());
  }

  /**
   * Time per {@link OpClass} since the previous call (or since warm-up); empty unless built with
   * {@link EngineOptions#withProfile(boolean)}.
   */
  public OpProfile profile() {
    synchronized (profileLock) {
      OpProfile p = OpProfile.of(profileNanos, profileWall, options.threads(), profileImages);
      java.util.Arrays.fill(profileNanos, 0);
      profileWall = 0;
      profileImages = 0;
      return p;
    }
  }

  /** Bytes of the prepared weight matrices (linear layers, patch embedding, head). */
  public long weightBytes() {
    return model.weightMatrixBytes();
  }

  /** Bytes of everything the prepared model holds: weights, per-channel vectors, float parameters. */
  public long modelBytes() {
    return model.bytesHeld();
  }

  /** Bytes of the per-slot buffers, all slots together. */
  public long workspaceBytes() {
    long b = 0;
    for (Slot s : slots) {
      b += s.pass.bytesHeld();
    }
    return b;
  }

  /** Stops the helper threads once the passes in progress have finished; later calls fail. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    boolean interrupted = false;
    for (int i = 0; i < slots.size(); ) {
      try {
        free.take().team.close();
        i++;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
