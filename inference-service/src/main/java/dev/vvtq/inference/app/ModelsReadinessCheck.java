package dev.vvtq.inference.app;

import dev.vvtq.inference.registry.ModelRegistry;
import dev.vvtq.inference.registry.ModelStatus;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;
import jakarta.enterprise.context.ApplicationScoped;

/** /q/health/ready: up once every configured model is loaded and warmed up. */
@Readiness
@ApplicationScoped
public class ModelsReadinessCheck implements HealthCheck {
  private final StartupModels startup;
  private final ModelRegistry registry;

  public ModelsReadinessCheck(StartupModels startup, ModelRegistry registry) {
    this.startup = startup;
    this.registry = registry;
  }

  @Override
  public HealthCheckResponse call() {
    HealthCheckResponseBuilder b = HealthCheckResponse.named("models").status(startup.ready());
    for (ModelStatus m : registry.list()) {
      b.withData(m.name(), m.state().name());
    }
    if (!startup.ready()) {
      b.withData("reason", startup.notReadyReason());
    }
    return b.build();
  }
}
