package dev.vvtq.trainer.app;

import dev.vvtq.artifacts.store.ArtifactStore;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready while the artifact store answers (every job reads and writes it). */
@Readiness
@ApplicationScoped
public class StoreReadinessCheck implements HealthCheck {
  private final ArtifactStore store;

  public StoreReadinessCheck(ArtifactStore store) {
    this.store = store;
  }

  @Override
  public HealthCheckResponse call() {
    try {
      // Any key will do: the answer matters less than the store answering at all.
      store.exists("readiness-probe");
      return HealthCheckResponse.named("artifact-store").up().withData("location", store.location()).build();
    } catch (Exception e) {
      return HealthCheckResponse.named("artifact-store").down().withData("location", store.location())
          .withData("error", String.valueOf(e.getMessage())).build();
    }
  }
}
