package dev.vvtq.inference.grpc;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * Sends the answers of a request stream in request order, each as soon as it and every earlier one
 * are done, and completes the stream after the last answer once the client has finished sending.
 */
final class OrderedResponder<T> {
  private final StreamObserver<T> out;
  private final ArrayDeque<Slot<T>> pending = new ArrayDeque<>();
  private boolean inputDone;
  private boolean finished;

  OrderedResponder(StreamObserver<T> out) {
    this.out = out;
    if (out instanceof ServerCallStreamObserver<T> call) {
      // Without a handler, onNext after a cancellation throws; with it, answers are just dropped.
      call.setOnCancelHandler(this::cancelled);
    }
  }

  /** A place in the answer order for the next request. */
  synchronized Consumer<T> next() {
    Slot<T> slot = new Slot<>();
    pending.add(slot);
    return answer -> complete(slot, answer);
  }

  /** The client finished sending. */
  synchronized void inputCompleted() {
    inputDone = true;
    flush();
  }

  /** Ends the stream with an error, dropping unanswered requests. */
  synchronized void fail(Throwable error) {
    if (!finished) {
      finished = true;
      pending.clear();
      out.onError(error);
    }
  }

  private synchronized void cancelled() {
    finished = true;
    pending.clear();
  }

  private synchronized void complete(Slot<T> slot, T answer) {
    slot.answer = answer;
    flush();
  }

  private void flush() {
    if (finished) {
      return;
    }
    while (!pending.isEmpty() && pending.peek().answer != null) {
      out.onNext(pending.poll().answer);
    }
    if (inputDone && pending.isEmpty()) {
      finished = true;
      out.onCompleted();
    }
  }

  private static final class Slot<T> {
    T answer;
  }
}
