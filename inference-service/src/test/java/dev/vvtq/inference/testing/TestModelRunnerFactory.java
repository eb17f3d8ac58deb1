package dev.vvtq.inference.testing;

import dev.vvtq.inference.model.ModelDescription;
import dev.vvtq.inference.model.ModelRunner;
import dev.vvtq.inference.model.ModelRunnerFactory;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Path;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The model runner of the Quarkus tests: {@link ClosedFormRunner}, slowed by {@code
 * vvtq.test.compute-delay-ms} per engine call where a test needs full queues.
 */
@ApplicationScoped
public class TestModelRunnerFactory implements ModelRunnerFactory {
  private final long delayMillis;

  public TestModelRunnerFactory(@ConfigProperty(name = "vvtq.test.compute-delay-ms", defaultValue = "0") long delayMillis) {
    this.delayMillis = delayMillis;
  }

  @Override
  public ModelRunner open(Path modelDir, ModelDescription description) {
    return new ClosedFormRunner(description, delayMillis);
  }
}
