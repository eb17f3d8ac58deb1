package dev.vvtq.inference.app;

import dev.vvtq.inference.testing.SlowEngineRunnerFactory;
import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;
import java.util.Set;

/**
 * A slow model (the real engine plus 100 ms per engine call, {@link SlowEngineRunnerFactory}) with a
 * queue of 2 and no batching: queues fill up at once.
 */
public class SlowModelProfile implements QuarkusTestProfile {
  @Override
  public Map<String, String> getConfigOverrides() {
    return Map.of(
        "vvtq.test.compute-delay-ms", "100",
        "vvtq.inference.batching.enabled", "false",
        "vvtq.inference.batching.queue-capacity", "2");
  }

  @Override
  public Set<Class<?>> getEnabledAlternatives() {
    return Set.of(SlowEngineRunnerFactory.class);
  }
}
