package dev.vvtq.inference.batching;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DynamicBatcherTest {
  private static final long NO_DEADLINE = Long.MAX_VALUE;

  /** Doubles each input float; one input and one output float per item; records batch sizes. */
  private final List<Integer> batchSizes = Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger dropped = new AtomicInteger();
  private volatile CountDownLatch gate = new CountDownLatch(0);
  private DynamicBatcher batcher;

  private final BatchFunction doubler = (inputs, n) -> {
    try {
      gate.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    batchSizes.add(n);
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = 2 * inputs[i];
    }
    return out;
  };

  private final BatchListener listener = new BatchListener() {
    @Override
    public void batchComputed(int items, int requests, long computeNanos) {}

    @Override
    public void requestDropped(DropReason reason) {
      dropped.incrementAndGet();
    }
  };

  @AfterEach
  void stop() {
    gate.countDown();
    if (batcher != null) {
      batcher.close(Duration.ofSeconds(5));
    }
  }

  private CompletableFuture<BatchResult> submit(float value) {
    return batcher.reserve().submit(new float[] {value}, 1, NO_DEADLINE, () -> false);
  }

  @Test
  void queuedRequestsFormOneBatchAndEachGetsItsOwnOutputs() throws Exception {
    batcher = new DynamicBatcher("m", doubler, 1, 1, new BatchingOptions(8, 200_000, 64), listener);
    List<CompletableFuture<BatchResult>> futures = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      futures.add(submit(i));
    }
    for (int i = 0; i < 5; i++) {
      BatchResult r = futures.get(i).get(5, TimeUnit.SECONDS);
      assertArrayEquals(new float[] {2f * i}, r.outputs());
      assertEquals(5, r.batchItems());
    }
    assertEquals(List.of(5), batchSizes);
  }

  @Test
  void batchesAreCappedAtMaxBatchSize() throws Exception {
    gate = new CountDownLatch(1);
    batcher = new DynamicBatcher("m", doubler, 1, 1, new BatchingOptions(3, 50_000, 64), listener);
    // The first request is taken alone while the gate holds the worker; the others queue up.
    List<CompletableFuture<BatchResult>> futures = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      futures.add(submit(i));
    }
    gate.countDown();
    for (CompletableFuture<BatchResult> f : futures) {
      f.get(5, TimeUnit.SECONDS);
    }
    assertEquals(8, batchSizes.stream().mapToInt(Integer::intValue).sum());
    assertTrue(batchSizes.stream().allMatch(s -> s <= 3), "batch sizes " + batchSizes);
  }

  @Test
  void aLoneRequestWaitsAtMostTheQueueDelay() throws Exception {
    batcher = new DynamicBatcher("m", doubler, 1, 1, new BatchingOptions(8, 20_000, 64), listener);
    long start = System.nanoTime();
    submit(1).get(5, TimeUnit.SECONDS);
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertTrue(millis >= 15 && millis < 1000, "waited " + millis + " ms for a 20 ms delay");
    assertEquals(List.of(1), batchSizes);
  }

  @Test
  void disabledBatchingRunsEveryRequestAlone() throws Exception {
    gate = new CountDownLatch(1);
    batcher = new DynamicBatcher("m", doubler, 1, 1, BatchingOptions.disabled(64), listener);
    List<CompletableFuture<BatchResult>> futures = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      futures.add(submit(i));
    }
    gate.countDown();
    for (CompletableFuture<BatchResult> f : futures) {
      assertEquals(1, f.get(5, TimeUnit.SECONDS).batchItems());
    }
    assertEquals(List.of(1, 1, 1, 1), batchSizes);
  }

  @Test
  void aRequestLargerThanTheBatchRunsAloneWithAllItsItems() throws Exception {
    batcher = new DynamicBatcher("m", doubler, 1, 1, new BatchingOptions(2, 0, 64), listener);
    BatchResult r = batcher.reserve().submit(new float[] {1, 2, 3, 4, 5}, 5, NO_DEADLINE, () -> false)
        .get(5, TimeUnit.SECONDS);
    assertArrayEquals(new float[] {2, 4, 6, 8, 10}, r.outputs());
    assertEquals(List.of(5), batchSizes);
  }

  @Test
  void aFullQueueRefusesAtOnceAndFreesSlotsAsBatchesStart() throws Exception {
    gate = new CountDownLatch(1);
    batcher = new DynamicBatcher("m", doubler, 1, 1, new BatchingOptions(1, 0, 2), listener);
    CompletableFuture<BatchResult> running = submit(1);
    // Wait until the worker holds the first request (its slot is then free again).
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (batcher.queueDepth() != 0 && System.nanoTime() < until) {
      Thread.sleep(1);
    }
    CompletableFuture<BatchResult> a = submit(2);
    CompletableFuture<BatchResult> b = submit(3);
    assertEquals(2, batcher.queueDepth());
    QueueFullException e = assertThrows(QueueFullException.class, () -> batcher.reserve());
    assertTrue(e.getMessage().contains("queue capacity"), e.getMessage());
    gate.countDown();
    running.get(5, TimeUnit.SECONDS);
    a.get(5, TimeUnit.SECONDS);
    b.get(5, TimeUnit.SECONDS);
    assertEquals(0, batcher.queueDepth());
    submit(4).get(5, TimeUnit.SECONDS);
  }

  @Test
  void aReleasedReservationFreesItsSlot() {
    batcher = new DynamicBatcher("m", doubler, 1, 1, new BatchingOptions(1, 0, 1), listener);
    DynamicBatcher.Reservation r = batcher.reserve();
    assertThrows(QueueFullException.class, () -> batcher.reserve());
    r.release();
    batcher.reserve().release();
  }

  @Test
  void requestsWhoseDeadlinePassedInTheQueueAreDroppedWithoutComputing() throws Exception {
    gate = new CountDownLatch(1);
    batcher = new DynamicBatcher("m", doubler, 1, 1, new BatchingOptions(4, 0, 64), listener);
    CompletableFuture<BatchResult> blocker = submit(1);
    Thread.sleep(20);
    CompletableFuture<BatchResult> expiring = batcher.reserve()
        .submit(new float[] {7}, 1, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(10), () -> false);
    Thread.sleep(50);
    gate.countDown();
    blocker.get(5, TimeUnit.SECONDS);
    ExecutionException e = assertThrows(ExecutionException.class, () -> expiring.get(5, TimeUnit.SECONDS));
    assertInstanceOf(DeadlineExpiredException.class, e.getCause());
    assertEquals(List.of(1), batchSizes, "only the first request was computed");
    assertEquals(1, dropped.get());
  }

  @Test
  void requestsWhoseDeadlineIsShorterThanAnEngineCallAreNotComputed() throws Exception {
    BatchFunction slow = (inputs, n) -> {
      try {
        Thread.sleep(60);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      batchSizes.add(n);
      return new float[n];
    };
    batcher = new DynamicBatcher("m", slow, 1, 1, new BatchingOptions(1, 0, 8), listener);
    submit(1).get(5, TimeUnit.SECONDS);
    CompletableFuture<BatchResult> hopeless = batcher.reserve()
        .submit(new float[] {2}, 1, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20), () -> false);
    ExecutionException e = assertThrows(ExecutionException.class, () -> hopeless.get(5, TimeUnit.SECONDS));
    assertInstanceOf(DeadlineExpiredException.class, e.getCause());
    assertTrue(e.getCause().getMessage().contains("less than an engine call takes"), e.getCause().getMessage());
    batcher.reserve().submit(new float[] {3}, 1, System.nanoTime() + TimeUnit.SECONDS.toNanos(2), () -> false)
        .get(5, TimeUnit.SECONDS);
    assertEquals(List.of(1, 1), batchSizes, "the hopeless request was not computed");
  }

  @Test
  void cancelledRequestsAreDroppedWithoutComputing() throws Exception {
    gate = new CountDownLatch(1);
    batcher = new DynamicBatcher("m", doubler, 1, 1, new BatchingOptions(4, 0, 64), listener);
    CompletableFuture<BatchResult> blocker = submit(1);
    Thread.sleep(20);
    CompletableFuture<BatchResult> cancelled = batcher.reserve().submit(new float[] {7}, 1, NO_DEADLINE, () -> true);
    gate.countDown();
    blocker.get(5, TimeUnit.SECONDS);
    ExecutionException e = assertThrows(ExecutionException.class, () -> cancelled.get(5, TimeUnit.SECONDS));
    assertInstanceOf(RequestCancelledException.class, e.getCause());
    assertEquals(List.of(1), batchSizes);
  }

  @Test
  void aFailingBatchFailsEachOfItsRequestsAndTheBatcherGoesOn() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    BatchFunction flaky = (in, n) -> {
      if (calls.getAndIncrement() == 0) {
        throw new IllegalStateException("engine exploded");
      }
      return new float[n];
    };
    batcher = new DynamicBatcher("m", flaky, 1, 1, new BatchingOptions(4, 0, 64), listener);
    ExecutionException e = assertThrows(ExecutionException.class, () -> submit(1).get(5, TimeUnit.SECONDS));
    assertEquals("engine exploded", e.getCause().getMessage());
    submit(2).get(5, TimeUnit.SECONDS);
  }

  @Test
  void closeFinishesQueuedRequestsAndRefusesNewOnes() throws Exception {
    gate = new CountDownLatch(1);
    batcher = new DynamicBatcher("m", doubler, 1, 1, new BatchingOptions(2, 0, 64), listener);
    List<CompletableFuture<BatchResult>> futures = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      futures.add(submit(i));
    }
    Thread closer = new Thread(() -> batcher.close(Duration.ofSeconds(5)));
    closer.start();
    Thread.sleep(20);
    assertThrows(BatcherClosedException.class, () -> batcher.reserve());
    gate.countDown();
    closer.join(5000);
    for (int i = 0; i < 6; i++) {
      assertArrayEquals(new float[] {2f * i}, futures.get(i).get(1, TimeUnit.SECONDS).outputs());
    }
  }

  @Test
  void closeWithAnExpiredDrainTimeFailsWhatIsLeft() throws Exception {
    gate = new CountDownLatch(1);
    batcher = new DynamicBatcher("m", doubler, 1, 1, new BatchingOptions(1, 0, 64), listener);
    CompletableFuture<BatchResult> first = submit(1);
    Thread.sleep(20);
    CompletableFuture<BatchResult> second = submit(2);
    Thread releaser = new Thread(() -> {
      try {
        Thread.sleep(300);
      } catch (InterruptedException e) {
        return;
      }
      gate.countDown();
    });
    releaser.start();
    assertEquals(false, batcher.close(Duration.ofMillis(50)));
    first.get(5, TimeUnit.SECONDS);
    ExecutionException e = assertThrows(ExecutionException.class, () -> second.get(5, TimeUnit.SECONDS));
    assertInstanceOf(BatcherClosedException.class, e.getCause());
  }

  @Test
  void inputsOfTheWrongLengthAreRefused() {
    batcher = new DynamicBatcher("m", doubler, 3, 1, new BatchingOptions(2, 0, 4), listener);
    DynamicBatcher.Reservation r = batcher.reserve();
    assertThrows(IllegalArgumentException.class, () -> r.submit(new float[4], 1, NO_DEADLINE, () -> false));
    assertEquals(0, batcher.queueDepth(), "the slot was given back");
  }
}
