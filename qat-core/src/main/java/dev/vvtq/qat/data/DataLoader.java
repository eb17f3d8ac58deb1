package dev.vvtq.qat.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.vvtq.qat.nn.TorchArrays;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Batches a {@link SampleSource} for training or evaluation. Worker threads prepare whole batches
 * as plain Java arrays, at most {@code prefetch} ahead; the consuming thread turns each into DJL
 * arrays on the {@link NDManager} it passes, so native memory is only touched by the caller.
 *
 * <p>Determinism: the epoch order is a permutation seeded by {@code (seed, epoch)}, and item
 * {@code i} draws its augmentation from a generator seeded by {@code (seed, epoch, i)}; batches are
 * therefore identical for any number of workers. Sharding follows {@link EpochOrder#shard}.
 *
 * <p>Threads: created with the loader, named {@code vvtq-loader-N}, daemon; {@link #close()} stops
 * them and waits for them to end. An epoch iterator cancels its pending batches when closed, and a
 * failing batch surfaces as {@link DataLoadingException} from {@code next()}.
 */
public final class DataLoader implements AutoCloseable {
  private static final AtomicInteger THREAD_IDS = new AtomicInteger();

  private final SampleSource source;
  private final LoaderOptions options;
  private final int itemsPerBatch;
  private final ExecutorService workers;
  private final List<Thread> workerThreads = new CopyOnWriteArrayList<>();

  public DataLoader(SampleSource source, LoaderOptions options) {
    this.source = source;
    this.options = options;
    this.itemsPerBatch = (options.batchSize() + source.samplesPerItem() - 1) / source.samplesPerItem();
    ThreadFactory threads = r -> {
      Thread t = new Thread(r, "vvtq-loader-" + THREAD_IDS.incrementAndGet());
      t.setDaemon(true);
      workerThreads.add(t);
      return t;
    };
    this.workers = options.workers() > 0 ? Executors.newFixedThreadPool(options.workers(), threads) : null;
  }

  public SampleSource source() {
    return source;
  }

  public LoaderOptions options() {
    return options;
  }

  /** Items (images) per batch: {@code ceil(batchSize / samplesPerItem)}. */
  public int itemsPerBatch() {
    return itemsPerBatch;
  }

  /** Items this rank sees per epoch. */
  public int itemsPerEpoch() {
    return EpochOrder.shard(new int[source.size()], options.rank(), options.worldSize(), options.remainder()).length;
  }

  /** Batches per epoch on this rank. */
  public int batchesPerEpoch() {
    int items = itemsPerEpoch();
    return options.dropLast() ? items / itemsPerBatch : (items + itemsPerBatch - 1) / itemsPerBatch;
  }

  /** The item indices this rank visits in {@code epoch}, in order (before batching). */
  public int[] epochItems(int epoch) {
    int[] order = EpochOrder.permutation(source.size(), options.seed(), epoch, options.shuffle());
    return EpochOrder.shard(order, options.rank(), options.worldSize(), options.remainder());
  }

  /** Iterates the batches of {@code epoch}; close the iterator (try-with-resources) when done. */
  public EpochIterator epoch(int epoch, NDManager manager) {
    return epoch(epoch, manager, 0);
  }

  /**
   * Iterates the batches of {@code epoch} from batch {@code fromBatch} on, exactly as a full
   * iteration would yield them (used to resume a run in the middle of an epoch).
   */
  public EpochIterator epoch(int epoch, NDManager manager, int fromBatch) {
    if (workers != null && workers.isShutdown()) {
      throw new IllegalStateException("this data loader is closed");
    }
    EpochIterator it = new EpochIterator(epoch, manager);
    if (fromBatch < 0 || fromBatch > it.batches) {
      throw new IllegalArgumentException(
          "cannot start epoch " + epoch + " at batch " + fromBatch + ": it has " + it.batches + " batches");
    }
    it.submitted = fromBatch;
    it.delivered = fromBatch;
    return it;
  }

  /** Stops the worker threads and waits (up to 10 s) for them to end. */
  @Override
  public void close() {
    if (workers == null) {
      return;
    }
    workers.shutdownNow();
    try {
      if (!workers.awaitTermination(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("data loader threads did not stop within 10 s");
      }
      // The pool reports termination while its last thread is still returning from run().
      for (Thread t : workerThreads) {
        t.join(TimeUnit.SECONDS.toMillis(10));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A batch prepared by a worker, before it becomes NDArrays. */
  private record HostBatch(int[] items, float[] images, long[] labels, float[] soft, int samples) {}

  private HostBatch prepare(int epoch, int number, int[] items) {
    int per = source.samplesPerItem();
    int side = source.inputSize();
    int imageSize = 3 * side * side;
    int samples = items.length * per;
    int classes = source.numClasses();
    float[] images = new float[samples * imageSize];
    long[] labels = new long[samples];
    float[] soft = source.softTargets() ? new float[samples * classes] : null;
    int s = 0;
    for (int item : items) {
      if (Thread.currentThread().isInterrupted()) {
        throw new CancellationException("batch cancelled");
      }
      List<Sample> produced;
      try {
        produced = source.load(item, SampleSeeds.random(options.seed(), epoch, item));
      } catch (RuntimeException e) {
        throw new DataLoadingException("epoch " + epoch + ", batch " + number + ": item " + item + " failed: " + e.getMessage(), e);
      }
      if (produced.size() != per) {
        throw new IllegalStateException("item " + item + " produced " + produced.size() + " samples, expected " + per);
      }
      for (Sample sample : produced) {
        System.arraycopy(sample.image(), 0, images, s * imageSize, imageSize);
        labels[s] = sample.label();
        if (soft != null) {
          System.arraycopy(sample.softTarget(), 0, soft, s * classes, classes);
        }
        s++;
      }
    }
    return new HostBatch(items, images, labels, soft, samples);
  }

  /** The batches of one epoch, prepared ahead by the workers. */
  public final class EpochIterator implements Iterator<Batch>, AutoCloseable {
    private final int epoch;
    private final NDManager manager;
    private final int[] order;
    private final int batches;
    private final ArrayDeque<Future<HostBatch>> pending = new ArrayDeque<>();
    private int submitted;
    private int delivered;
    private boolean closed;

    private EpochIterator(int epoch, NDManager manager) {
      this.epoch = epoch;
      this.manager = manager;
      this.order = epochItems(epoch);
      this.batches = batchesPerEpoch();
    }

    /** Number of batches this epoch yields. */
    public int batches() {
      return batches;
    }

    private int[] itemsOf(int number) {
      int from = number * itemsPerBatch;
      int to = Math.min(from + itemsPerBatch, order.length);
      return java.util.Arrays.copyOfRange(order, from, to);
    }

    private void fill() {
      while (workers != null && submitted < batches && pending.size() < options.prefetch()) {
        int number = submitted++;
        int[] items = itemsOf(number);
        pending.add(workers.submit(() -> prepare(epoch, number, items)));
      }
    }

    @Override
    public boolean hasNext() {
      return !closed && delivered < batches;
    }

    @Override
    public Batch next() {
      return next(manager);
    }

    /**
     * The next batch with its arrays on {@code owner} (e.g. a per-step manager, so that everything
     * computed from the batch is freed with the step).
     */
    public Batch next(NDManager owner) {
      if (!hasNext()) {
        throw new NoSuchElementException("epoch " + epoch + " has no more batches");
      }
      int number = delivered;
      HostBatch host;
      if (workers == null) {
        host = prepare(epoch, number, itemsOf(number));
      } else {
        fill();
        Future<HostBatch> head = pending.poll();
        try {
          host = head.get();
        } catch (ExecutionException e) {
          close();
          Throwable cause = e.getCause();
          if (cause instanceof DataLoadingException d) {
            throw new DataLoadingException(d.getMessage(), d.getCause());
          }
          throw new DataLoadingException("epoch " + epoch + ", batch " + number + " failed: " + cause, cause);
        } catch (InterruptedException e) {
          close();
          Thread.currentThread().interrupt();
          throw new DataLoadingException("interrupted while waiting for batch " + number, e);
        }
        fill();
      }
      delivered++;
      return toBatch(number, host, owner);
    }

    private Batch toBatch(int number, HostBatch host, NDManager manager) {
      int side = source.inputSize();
      NDArray images = TorchArrays.create(manager, host.images(), new Shape(host.samples(), 3, side, side));
      NDArray labels = TorchArrays.create(manager, host.labels(), new Shape(host.samples()));
      NDArray targets = host.soft() == null
          ? labels
          : TorchArrays.create(manager, host.soft(), new Shape(host.samples(), source.numClasses()));
      return new Batch(epoch, number, images, targets, labels, host.items());
    }

    /** Cancels batches still being prepared; the loader's threads stay for the next epoch. */
    @Override
    public void close() {
      closed = true;
      for (Future<HostBatch> f : pending) {
        f.cancel(true);
      }
      pending.clear();
    }
  }
}
