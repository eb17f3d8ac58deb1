package dev.vvtq.inference.batching;

import dev.vvtq.inference.batching.BatchListener.DropReason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * Groups the requests of one model into batches for a {@link BatchFunction}: a bounded queue and one
 * worker thread that, after taking the first queued request, waits at most {@code maxQueueDelay}
 * (counted from that request's submission) for more until {@code maxBatchSize} items are gathered,
 * then computes them in one call and completes each request with its own slice of the outputs.
 *
 * <p>Admission is two-step so that an overloaded server refuses work before spending any on it:
 * {@link #reserve()} takes a queue slot or fails at once with {@link QueueFullException}; the caller
 * then prepares its inputs (decoding images, say) and {@link Reservation#submit}s them, or
 * {@link Reservation#release}s the slot. A slot is freed when its request enters a batch or is
 * dropped. Requests whose caller cancelled, whose deadline passed, or whose deadline leaves less
 * time than an engine call takes (a moving average of recent calls) are dropped without being
 * computed: under overload the engine then spends its time only on answers that can still arrive.
 *
 * <p>{@link #close} stops admission and lets the worker finish every admitted request first.
 */
public final class DynamicBatcher implements AutoCloseable {
  private static final long IDLE_POLL_MILLIS = 50;

  private final String name;
  private final BatchFunction function;
  private final int inputElements;
  private final int outputElements;
  private final BatchingOptions options;
  private final BatchListener listener;
  private final Semaphore slots;
  private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private final Thread worker;
  private final Object lifecycle = new Object();
  private volatile boolean accepting = true;
  private volatile boolean abort;
  private volatile boolean exited;
  private float[] batchBuffer;
  /** Moving average of the engine time per batch; written by the worker only. */
  private volatile long expectedComputeNanos;

  /**
   * Starts the worker thread.
   *
   * @param name the model's name, for thread names and messages
   * @param inputElements floats per item in the inputs of {@code function}
   * @param outputElements floats per item in its outputs
   */
  public DynamicBatcher(String name, BatchFunction function, int inputElements, int outputElements,
      BatchingOptions options, BatchListener listener) {
    if (inputElements < 1 || outputElements < 1) {
      throw new IllegalArgumentException("input and output elements per item must be >= 1");
    }
    this.name = name;
    this.function = function;
    this.inputElements = inputElements;
    this.outputElements = outputElements;
    this.options = options;
    this.listener = listener;
    this.slots = new Semaphore(options.queueCapacity());
    this.worker = new Thread(this::run, "vvtq-batcher-" + name);
    worker.setDaemon(true);
    worker.start();
  }

  public BatchingOptions options() {
    return options;
  }

  /** Requests admitted and not yet in a batch (being prepared, or queued). */
  public int queueDepth() {
    return options.queueCapacity() - slots.availablePermits();
  }

  /** Whether new requests are admitted. */
  public boolean accepting() {
    return accepting;
  }

  /**
   * Takes a queue slot for one request.
   *
   * @throws QueueFullException when every slot is taken
   * @throws BatcherClosedException after {@link #close}
   */
  public Reservation reserve() {
    if (!accepting) {
      throw closedException();
    }
    if (!slots.tryAcquire()) {
      throw new QueueFullException("model '" + name + "' already has " + options.queueCapacity()
          + " requests waiting (queue capacity); retry later or with less concurrency");
    }
    if (!accepting) {
      slots.release();
      throw closedException();
    }
    return new Reservation();
  }

  /**
   * Stops admission, waits up to {@code drain} for every admitted request to be computed, then
   * fails any left with {@link BatcherClosedException} and stops the worker.
   *
   * @return whether everything admitted was computed in time
   */
  public boolean close(Duration drain) {
    accepting = false;
    boolean drained = awaitWorker(drain);
    if (!drained) {
      abort = true;
      awaitWorker(Duration.ofSeconds(5));
    }
    return drained;
  }

  /** {@link #close(Duration)} with 30 seconds to drain. */
  @Override
  public void close() {
    close(Duration.ofSeconds(30));
  }

  private boolean awaitWorker(Duration timeout) {
    try {
      worker.join(Math.max(1, timeout.toMillis()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return !worker.isAlive();
  }

  private BatcherClosedException closedException() {
    return new BatcherClosedException("model '" + name + "' is not accepting requests (unloading or shutting down)");
  }

  /** One admitted request's slot: submit its inputs once, or release the slot. */
  public final class Reservation {
    private final AtomicBoolean used = new AtomicBoolean();

    private Reservation() {}

    /**
     * Queues {@code n} items laid end to end in {@code inputs}.
     *
     * @param deadlineNanos a {@link System#nanoTime()} after which the request is dropped with
     *     {@link DeadlineExpiredException}; {@link Long#MAX_VALUE} for none
     * @param cancelled tells whether the caller has given up; checked before computing
     * @return completes with the request's outputs, or exceptionally with one of this package's
     *     exceptions or the batch function's failure
     */
    public CompletableFuture<BatchResult> submit(float[] inputs, int n, long deadlineNanos, BooleanSupplier cancelled) {
      if (n < 1 || inputs.length != (long) n * inputElements) {
        release();
        throw new IllegalArgumentException("expected " + n + " x " + inputElements + " input floats, got " + inputs.length);
      }
      if (!used.compareAndSet(false, true)) {
        throw new IllegalStateException("reservation already used");
      }
      Pending p = new Pending(inputs, n, deadlineNanos, cancelled, System.nanoTime());
      synchronized (lifecycle) {
        if (exited) {
          slots.release();
          p.future.completeExceptionally(closedException());
          return p.future;
        }
        queue.add(p);
      }
      return p.future;
    }

    /** Gives the slot back without submitting (the request failed before reaching the queue). */
    public void release() {
      if (used.compareAndSet(false, true)) {
        slots.release();
      }
    }
  }

  private static final class Pending {
    final float[] inputs;
    final int n;
    final long deadlineNanos;
    final BooleanSupplier cancelled;
    final long submittedNanos;
    final CompletableFuture<BatchResult> future = new CompletableFuture<>();

    Pending(float[] inputs, int n, long deadlineNanos, BooleanSupplier cancelled, long submittedNanos) {
      this.inputs = inputs;
      this.n = n;
      this.deadlineNanos = deadlineNanos;
      this.cancelled = cancelled;
      this.submittedNanos = submittedNanos;
    }
  }

  private void run() {
    long maxDelayNanos = options.maxQueueDelayMicros() * 1000L;
    int maxBatch = options.maxBatchSize();
    List<Pending> batch = new ArrayList<>(maxBatch);
    Pending carried = null;
    try {
      while (true) {
        Pending first = carried != null ? carried : queue.poll(IDLE_POLL_MILLIS, TimeUnit.MILLISECONDS);
        carried = null;
        if (first == null) {
          if (!accepting && (abort || slots.availablePermits() == options.queueCapacity())) {
            return;
          }
          continue;
        }
        if (abort) {
          drop(first, closedException(), DropReason.FAILED);
          continue;
        }
        if (!stillWanted(first)) {
          continue;
        }
        batch.clear();
        batch.add(first);
        int items = first.n;
        long flushAt = first.submittedNanos + maxDelayNanos;
        while (items < maxBatch) {
          long wait = flushAt - System.nanoTime();
          Pending next = wait > 0 ? queue.poll(wait, TimeUnit.NANOSECONDS) : queue.poll();
          if (next == null) {
            break;
          }
          if (!stillWanted(next)) {
            continue;
          }
          if (items + next.n > maxBatch) {
            carried = next;
            break;
          }
          batch.add(next);
          items += next.n;
        }
        slots.release(batch.size());
        execute(batch, items);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      synchronized (lifecycle) {
        exited = true;
      }
      BatcherClosedException closed = closedException();
      if (carried != null) {
        drop(carried, closed, DropReason.FAILED);
      }
      for (Pending p; (p = queue.poll()) != null; ) {
        drop(p, closed, DropReason.FAILED);
      }
    }
  }

  /** Drops the request if its caller cancelled or its deadline passes before an engine call could end. */
  private boolean stillWanted(Pending p) {
    long now = System.nanoTime();
    if (p.deadlineNanos != Long.MAX_VALUE && p.deadlineNanos - now <= expectedComputeNanos) {
      long left = p.deadlineNanos - now;
      drop(p, new DeadlineExpiredException((left <= 0 ? "deadline passed" : "deadline leaves "
          + TimeUnit.NANOSECONDS.toMicros(left) / 1000.0 + " ms, less than an engine call takes (~"
          + TimeUnit.NANOSECONDS.toMicros(expectedComputeNanos) / 1000.0 + " ms),") + " after "
          + TimeUnit.NANOSECONDS.toMillis(now - p.submittedNanos) + " ms in the queue of model '" + name
          + "'; the request was not computed"), DropReason.DEADLINE_EXPIRED);
      return false;
    }
    if (p.cancelled.getAsBoolean()) {
      drop(p, new RequestCancelledException("the caller cancelled the request while it was queued for model '"
          + name + "'"), DropReason.CANCELLED);
      return false;
    }
    return true;
  }

  private void drop(Pending p, RuntimeException why, DropReason reason) {
    slots.release();
    listener.requestDropped(reason);
    p.future.completeExceptionally(why);
  }

  private void execute(List<Pending> batch, int items) {
    float[] inputs;
    if (batch.size() == 1) {
      inputs = batch.get(0).inputs;
    } else {
      int needed = items * inputElements;
      if (batchBuffer == null || batchBuffer.length < needed) {
        // Kept for the worker's lifetime: at 224x224 a batch of 8 is 4.8 MB, too much to churn.
        batchBuffer = new float[Math.max(needed, options.maxBatchSize() * inputElements)];
      }
      inputs = batchBuffer;
      int offset = 0;
      for (Pending p : batch) {
        System.arraycopy(p.inputs, 0, inputs, offset, p.inputs.length);
        offset += p.inputs.length;
      }
    }
    long start = System.nanoTime();
    float[] outputs;
    try {
      outputs = function.apply(inputs, items);
      if (outputs.length != (long) items * outputElements) {
        throw new IllegalStateException("model '" + name + "' returned " + outputs.length + " outputs for "
            + items + " items, expected " + (long) items * outputElements);
      }
    } catch (RuntimeException | Error e) {
      for (Pending p : batch) {
        listener.requestDropped(DropReason.FAILED);
        p.future.completeExceptionally(e);
      }
      return;
    }
    long compute = System.nanoTime() - start;
    long previous = expectedComputeNanos;
    expectedComputeNanos = previous == 0 ? compute : previous + (compute - previous) / 8;
    listener.batchComputed(items, batch.size(), compute);
    int offset = 0;
    for (Pending p : batch) {
      int length = p.n * outputElements;
      float[] mine = new float[length];
      System.arraycopy(outputs, offset, mine, 0, length);
      offset += length;
      p.future.complete(new BatchResult(mine, items, start - p.submittedNanos, compute));
    }
  }
}
