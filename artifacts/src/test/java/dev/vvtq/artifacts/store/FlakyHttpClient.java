package dev.vvtq.artifacts.store;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpResponse;

/**
 * The real HTTP transport with injected faults: the next {@code n} requests fail (a dropped
 * connection, or S3's "503 SlowDown" answer) before reaching the server; the rest pass through.
 */
final class FlakyHttpClient implements SdkHttpClient {
  enum Fault {
    CONNECTION_RESET,
    SLOW_DOWN
  }

  private final SdkHttpClient delegate;
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicInteger faultsLeft = new AtomicInteger();
  private volatile Fault fault = Fault.CONNECTION_RESET;

  FlakyHttpClient(SdkHttpClient delegate) {
    this.delegate = delegate;
  }

  /** Makes the next {@code n} requests fail with the fault, and resets the request count. */
  void failNext(int n, Fault f) {
    fault = f;
    faultsLeft.set(n);
    requests.set(0);
  }

  /** Requests sent (failed or passed) since the last {@link #failNext}. */
  int requests() {
    return requests.get();
  }

  @Override
  public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
    requests.incrementAndGet();
    if (faultsLeft.getAndUpdate(n -> Math.max(0, n - 1)) == 0) {
      return delegate.prepareRequest(request);
    }
    Fault f = fault;
    return new ExecutableHttpRequest() {
      @Override
      public HttpExecuteResponse call() throws IOException {
        if (f == Fault.CONNECTION_RESET) {
          throw new IOException("Connection reset (injected)");
        }
        byte[] body =
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate. (injected)</Message></Error>"
                .getBytes(StandardCharsets.UTF_8);
        return HttpExecuteResponse.builder()
            .response(
                SdkHttpResponse.builder()
                    .statusCode(503)
                    .putHeader("Content-Type", "application/xml")
                    .putHeader("Content-Length", Integer.toString(body.length))
                    .build())
            .responseBody(AbortableInputStream.create(new ByteArrayInputStream(body)))
            .build();
      }

      @Override
      public void abort() {}
    };
  }

  @Override
  public void close() {
    delegate.close();
  }
}
