package dev.vvtq.trainer.kubernetes;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.List;
import java.util.Map;

/** Where an MPIJob is, from the conditions the MPI Operator writes into its status. */
public record MpiJobStatus(Phase phase, String reason, String message) {

  /** An MPIJob's phases as the trainer sees them. */
  public enum Phase {
    /** Accepted, pods not all running yet (or no status yet). */
    PENDING,
    RUNNING,
    SUCCEEDED,
    FAILED,
    /** Not (or no longer) in the API: deleted, or its TTL passed. */
    GONE;

    /** Whether nothing more will happen to the job. */
    public boolean terminal() {
      return this == SUCCEEDED || this == FAILED || this == GONE;
    }
  }

  static final MpiJobStatus GONE = new MpiJobStatus(Phase.GONE, "", "the MPIJob is not in the API");

  /** The status of {@code job}; null is {@link Phase#GONE}. */
  @SuppressWarnings("unchecked")
  public static MpiJobStatus of(GenericKubernetesResource job) {
    if (job == null) {
      return GONE;
    }
    Object status = job.getAdditionalProperties().get("status");
    List<Map<String, Object>> conditions = status instanceof Map<?, ?> m && m.get("conditions") instanceof List<?> l
        ? (List<Map<String, Object>>) l : List.of();
    // A true Failed or Succeeded decides; else Running; else the job is pending.
    for (String type : List.of("Failed", "Succeeded", "Running")) {
      for (Map<String, Object> c : conditions) {
        if (type.equals(c.get("type")) && "True".equals(c.get("status"))) {
          Phase p = switch (type) {
            case "Failed" -> Phase.FAILED;
            case "Succeeded" -> Phase.SUCCEEDED;
            default -> Phase.RUNNING;
          };
          return new MpiJobStatus(p, text(c.get("reason")), text(c.get("message")));
        }
      }
    }
    return new MpiJobStatus(Phase.PENDING, "", "");
  }

  private static String text(Object o) {
    return o == null ? "" : o.toString();
  }
}
