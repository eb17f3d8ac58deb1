package dev.vvtq.inference.bench;

import com.google.protobuf.ByteString;
import dev.vvtq.artifacts.store.LocalFolderStore;
import dev.vvtq.inference.tensor.RawTensors;
import dev.vvtq.inference.testing.FixtureModels;
import dev.vvtq.inference.testing.TestImages;
import dev.vvtq.proto.inference.GRPCInferenceServiceGrpc;
import dev.vvtq.proto.inference.ModelInferRequest;
import dev.vvtq.proto.inference.ModelInferRequest.InferInputTensor;
import dev.vvtq.proto.inference.ModelInferRequest.InferRequestedOutputTensor;
import dev.vvtq.proto.v1.ClassifierGrpc;
import dev.vvtq.proto.v1.ClassifyRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * A bounded closed-loop gRPC load generator against a running inference service on loopback: N
 * clients each send single-image requests back to back for a fixed time; prints throughput,
 * latency percentiles of successful requests, the count of each status code, and the server's
 * heap before and after (from /q/metrics). Run only when asked (see bench/RESULTS.md):
 *
 * <pre>
 * ./mvnw -q -pl proto,inference-service -am test -Dtest=LoadBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
 *   -Dvvtq.bench.run=true -Dvvtq.bench.model=fmnist -Dvvtq.bench.clients=8 -Dvvtq.bench.seconds=20
 * </pre>
 *
 * With {@code -Dvvtq.bench.prepare-store=DIR} it instead publishes the benchmark's random-weight
 * models (fmnist: 32x32 patch 4 dim 96 depth 4; deit-t: DeiT-Tiny 224, both W4A4) into a local store.
 */
@EnabledIfSystemProperty(named = "vvtq.bench.run", matches = "true")
class LoadBenchmark {
  private static final String TARGET = System.getProperty("vvtq.bench.target", "localhost:9000");
  private static final String METRICS = System.getProperty("vvtq.bench.metrics", "http://localhost:8080/q/metrics");

  /** The same as the test, for running from a shell with the test class path (bench/inference-load.sh). */
  public static void main(String[] args) throws Exception {
    new LoadBenchmark().run();
  }

  @Test
  void run() throws Exception {
    String prepare = System.getProperty("vvtq.bench.prepare-store");
    if (prepare != null) {
      LocalFolderStore store = new LocalFolderStore(Path.of(prepare));
      FixtureModels.publish(store, "models/fmnist/1", FixtureModels.model(FixtureModels.fashionMnist(), 1));
      FixtureModels.publish(store, "models/deit-t/1", FixtureModels.model(FixtureModels.deitTiny(), 2));
      System.out.println("published models/fmnist/1 and models/deit-t/1 in " + prepare);
      return;
    }
    String model = System.getProperty("vvtq.bench.model", "fmnist");
    int clients = Integer.getInteger("vvtq.bench.clients", 4);
    int seconds = Integer.getInteger("vvtq.bench.seconds", 15);
    String method = System.getProperty("vvtq.bench.method", "classify");
    int size = Integer.getInteger("vvtq.bench.size", 32);
    long deadlineMs = Long.getLong("vvtq.bench.deadline-ms", 2000);
    String label = System.getProperty("vvtq.bench.label", "");
    // Total requests per second to aim at; 0: each client sends as soon as its previous answer arrives.
    double rate = Double.parseDouble(System.getProperty("vvtq.bench.rate", "0"));

    ManagedChannel channel = ManagedChannelBuilder.forTarget(TARGET).usePlaintext().maxInboundMessageSize(64 << 20).build();
    try {
      ByteString png = ByteString.copyFrom(TestImages.png(size * 8 / 7 + 1, size * 8 / 7 + 1, 7));
      float[] pixels = new float[3 * size * size];
      Random rnd = new Random(3);
      for (int i = 0; i < pixels.length; i++) {
        pixels[i] = (float) rnd.nextGaussian();
      }
      ModelInferRequest infer = ModelInferRequest.newBuilder().setModelName(model)
          .addInputs(InferInputTensor.newBuilder().setName("images").setDatatype("FP32").addShape(1).addShape(3)
              .addShape(size).addShape(size))
          .addOutputs(InferRequestedOutputTensor.newBuilder().setName("top_k_classes"))
          .addRawInputContents(RawTensors.floats(pixels, 0, pixels.length))
          .build();
      ClassifyRequest classify = ClassifyRequest.newBuilder().setModel(model).setImage(png).setTopK(5).build();
      Runnable call = withDeadline(method, channel, infer, classify, deadlineMs);

      // Warm-up: the JIT of both sides, and the batcher's first batches.
      drive(call, clients, 3, rate);
      if (System.getProperty("vvtq.bench.suite") != null) {
        // Peak with `clients` clients, then half of it paced, then 4x the clients with a deadline.
        Result peak = report(label, model, method, clients, 0, seconds, call);
        report(label, model, method, clients, peak.okPerSecond() / 2, seconds, call);
        report(label, model, method, 4 * clients, 0, seconds,
            withDeadline(method, channel, infer, classify, Math.min(deadlineMs, 1000)));
      } else {
        report(label, model, method, clients, rate, seconds, call);
      }
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static Result report(String label, String model, String method, int clients, double rate, int seconds,
      Runnable call) throws InterruptedException {
    long heapBefore = heapUsed();
    Result r = drive(call, clients, seconds, rate);
    long heapAfter = heapUsed();
    System.out.println(String.format(Locale.ROOT,
        "RESULT %s model=%s method=%s clients=%d rate=%s seconds=%d: %.1f req/s OK, p50 %.2f ms, p99 %.2f ms,"
            + " codes %s, server heap %d -> %d MB",
        label, model, method, clients, rate > 0 ? String.format(Locale.ROOT, "%.1f/s", rate) : "max", seconds,
        r.okPerSecond(), r.percentile(50), r.percentile(99), r.codes(), heapBefore >> 20, heapAfter >> 20));
    return r;
  }

  private static Runnable withDeadline(String method, ManagedChannel channel, ModelInferRequest infer,
      ClassifyRequest classify, long deadlineMs) {
    return method.equals("infer")
        ? () -> GRPCInferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS).modelInfer(infer)
        : () -> ClassifierGrpc.newBlockingStub(channel).withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS).classify(classify);
  }

  private record Result(double okPerSecond, long[] okNanos, Map<String, Integer> codes) {
    double percentile(double p) {
      if (okNanos.length == 0) {
        return Double.NaN;
      }
      int i = (int) Math.min(okNanos.length - 1, Math.ceil(p / 100 * okNanos.length) - 1);
      return okNanos[Math.max(0, i)] / 1e6;
    }
  }

  private static Result drive(Runnable call, int clients, int seconds, double rate) throws InterruptedException {
    long intervalNanos = rate > 0 ? (long) (clients * 1e9 / rate) : 0;
    AtomicBoolean stop = new AtomicBoolean();
    List<long[]> latencies = new ArrayList<>();
    List<Map<String, Integer>> codes = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    int[] okCounts = new int[clients];
    for (int c = 0; c < clients; c++) {
      int id = c;
      long[] mine = new long[1 << 20];
      Map<String, Integer> myCodes = new TreeMap<>();
      latencies.add(mine);
      codes.add(myCodes);
      Thread t = new Thread(() -> {
        int n = 0;
        // Clients start spread over one interval so that paced requests do not arrive in bursts.
        long next = System.nanoTime() + intervalNanos * id / Math.max(1, clients);
        while (!stop.get()) {
          if (intervalNanos > 0) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
              java.util.concurrent.locks.LockSupport.parkNanos(wait);
            }
            next += intervalNanos;
          }
          long start = System.nanoTime();
          String code;
          try {
            call.run();
            code = "OK";
          } catch (RuntimeException e) {
            code = Status.fromThrowable(e).getCode().name();
          }
          long took = System.nanoTime() - start;
          myCodes.merge(code, 1, Integer::sum);
          if (code.equals("OK") && n < mine.length) {
            mine[n++] = took;
          }
        }
        okCounts[id] = n;
      }, "load-" + c);
      threads.add(t);
    }
    long start = System.nanoTime();
    threads.forEach(Thread::start);
    Thread.sleep(seconds * 1000L);
    stop.set(true);
    for (Thread t : threads) {
      t.join(30_000);
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    int total = Arrays.stream(okCounts).sum();
    long[] all = new long[total];
    int off = 0;
    for (int c = 0; c < clients; c++) {
      System.arraycopy(latencies.get(c), 0, all, off, okCounts[c]);
      off += okCounts[c];
    }
    Arrays.sort(all);
    Map<String, Integer> merged = new TreeMap<>();
    codes.forEach(m -> m.forEach((k, v) -> merged.merge(k, v, Integer::sum)));
    return new Result(total / elapsed, all, merged);
  }

  /** The server's heap in use, summed over its pools, from the Prometheus endpoint; -1 if unreachable. */
  private static long heapUsed() {
    try {
      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(METRICS)).build(),
          HttpResponse.BodyHandlers.ofString());
      double sum = 0;
      for (String line : r.body().split("\n")) {
        if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
          sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
      }
      return (long) sum;
    } catch (IOException | InterruptedException | RuntimeException e) {
      return -1;
    }
  }
}
