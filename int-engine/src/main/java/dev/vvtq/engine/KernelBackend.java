package dev.vvtq.engine;

import dev.vvtq.engine.kernels.Kernels;
import dev.vvtq.engine.model.ExportedModel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The engine's hand-fused forward pass ({@link ForwardPass}) over one {@link Kernels} implementation:
 * the {@code java} backend on the Vector API kernels, the {@code onednn} backend on kernels whose
 * integer products are oneDNN matmuls. Each pass runs on one of {@link EngineOptions#parallelCalls()}
 * slots, each with {@link EngineOptions#threads()} threads and buffers for {@link
 * EngineOptions#maxMicroBatch()} images; callers beyond the slots wait, larger batches run in pieces.
 */
final class KernelBackend implements InferenceBackend {

  /** A forward pass with its threads and buffers. */
  private static final class Slot {
    final WorkerTeam team;
    final ForwardPass pass;
    final OpTimer timer;

    Slot(WorkerTeam team, ForwardPass pass, OpTimer timer) {
      this.team = team;
      this.pass = pass;
      this.timer = timer;
    }
  }

  private final String name;
  private final String detail;
  private final PreparedModel model;
  private final EngineOptions options;
  private final Kernels kernels;
  private final List<Slot> slots = new ArrayList<>();
  private final BlockingQueue<Slot> free;
  private final Object profileLock = new Object();
  private final long[] profileNanos = new long[OpClass.COUNT];
  private long profileWall;
  private int profileImages;
  private volatile boolean closed;

  /** Prepares {@code exported} for {@code kernels}; {@link #close()} closes the kernels too. */
  KernelBackend(String name, ExportedModel exported, EngineOptions options, Kernels kernels) {
    this.name = name;
    this.detail = kernels.name() + " kernels";
    this.options = options;
    this.kernels = kernels;
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

  @Override
  public String name() {
    return name;
  }

  @Override
  public String detail() {
    return detail;
  }

  PreparedModel model() {
    return model;
  }

  @Override
  public void forward(float[] images, int imagesOff, int count, float[] logits, int logitsOff) {
    int per = model.config.imageFloats();
    int classes = model.config.numClasses();
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
        Slot s = free.poll(50, TimeUnit.MILLISECONDS);
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

  /** {@link WarmUp} on one slot, then one pass on every other slot. */
  @Override
  public WarmUpReport warmUp(Duration budget) {
    int per = model.config.imageFloats();
    int classes = model.config.numClasses();
    Slot slot = acquire();
    WarmUpReport report;
    try {
      report = WarmUp.run(new WarmUp.Pass() {
        @Override
        public void run(float[] image, float[] logits) {
          slot.pass.run(image, 0, 1, logits, 0);
        }

        @Override
        public long[] helperThreadIds() {
          return slot.team.threadIds();
        }
      }, per, classes, budget);
      if (slot.timer.enabled()) {
        slot.timer.drainInto(new long[OpClass.COUNT]); // warm-up does not count in the profile
      }
    } finally {
      free.add(slot);
    }
    float[] image = WarmUp.syntheticImage(per);
    float[] logits = new float[classes];
    for (int i = 1; i < slots.size(); i++) {
      forward(image, 0, 1, logits, 0);
    }
    return report;
  }

  @Override
  public OpProfile profile() {
    synchronized (profileLock) {
      OpProfile p = OpProfile.of(profileNanos, profileWall, options.threads(), profileImages);
      java.util.Arrays.fill(profileNanos, 0);
      profileWall = 0;
      profileImages = 0;
      return p;
    }
  }

  @Override
  public long weightBytes() {
    return model.weightMatrixBytes();
  }

  @Override
  public long modelBytes() {
    return model.bytesHeld();
  }

  @Override
  public long workspaceBytes() {
    long b = 0;
    for (Slot s : slots) {
      b += s.pass.bytesHeld();
    }
    return b;
  }

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
    kernels.close();
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
