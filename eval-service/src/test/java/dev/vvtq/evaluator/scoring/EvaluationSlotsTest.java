package dev.vvtq.evaluator.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class EvaluationSlotsTest {
  @Test
  void oneRunsOneWaitsTheNextIsRefused() throws Exception {
    EvaluationSlots slots = new EvaluationSlots(1, 1);
    slots.acquire();
    CountDownLatch admitted = new CountDownLatch(1);
    Thread waiter = new Thread(() -> {
      try {
        slots.acquire();
        admitted.countDown();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    waiter.start();
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (slots.waiting() == 0) {
      assertTrue(System.nanoTime() < until, "the second caller never queued");
      Thread.sleep(1);
    }
    EvaluationSlots.OverloadedException e = assertThrows(EvaluationSlots.OverloadedException.class, slots::acquire);
    assertTrue(e.getMessage().contains("busy"), e.getMessage());
    slots.release();
    assertTrue(admitted.await(10, TimeUnit.SECONDS), "the waiting caller gets the freed slot");
    assertEquals(0, slots.waiting());
    slots.release();
    waiter.join();
  }
}
