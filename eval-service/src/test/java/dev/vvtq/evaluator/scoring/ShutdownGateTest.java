package dev.vvtq.evaluator.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ShutdownGateTest {
  @Test
  void closingStopsARunAtItsNextBatchAndWaitsForIt() throws Exception {
    ShutdownGate gate = new ShutdownGate();
    CountDownLatch started = new CountDownLatch(1);
    AtomicInteger batches = new AtomicInteger();
    AtomicReference<Throwable> ended = new AtomicReference<>();
    Thread evaluation = new Thread(() -> {
      gate.enter();
      try {
        started.countDown();
        while (true) {
          gate.checkpoint();
          batches.incrementAndGet(); // stands for one forward pass
          Thread.onSpinWait();
        }
      } catch (RuntimeException e) {
        ended.set(e);
      } finally {
        gate.exit();
      }
    });
    evaluation.start();
    assertTrue(started.await(10, TimeUnit.SECONDS));
    assertEquals(0, gate.close(Duration.ofSeconds(30)));
    assertTrue(ended.get() instanceof ShutdownGate.StoppingException, String.valueOf(ended.get()));
    evaluation.join(10_000);
    assertThrows(ShutdownGate.StoppingException.class, gate::enter, "no new evaluation after the shutdown began");
  }

  @Test
  void closeGivesUpAfterItsBoundAndSaysHowManyStillRun() throws Exception {
    ShutdownGate gate = new ShutdownGate();
    gate.enter(); // a run that never reaches a batch boundary
    assertEquals(1, gate.close(Duration.ofMillis(10)));
  }
}
