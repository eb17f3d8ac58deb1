package dev.vvtq.inference.app;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/** A slow model (100 ms per engine call) with a queue of 2 and no batching: queues fill up at once. */
public class SlowModelProfile implements QuarkusTestProfile {
  @Override
  public Map<String, String> getConfigOverrides() {
    return Map.of(
        "vvtq.test.compute-delay-ms", "100",
        "vvtq.inference.batching.enabled", "false",
        "vvtq.inference.batching.queue-capacity", "2");
  }
}
