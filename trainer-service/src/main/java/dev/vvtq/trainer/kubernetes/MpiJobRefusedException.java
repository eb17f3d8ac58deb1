package dev.vvtq.trainer.kubernetes;

/** The Kubernetes API refused an MPIJob (RBAC, a missing MPI Operator, an invalid object): the job fails with this message. */
public class MpiJobRefusedException extends RuntimeException {
  public MpiJobRefusedException(String message, Throwable cause) {
    super(message, cause);
  }
}
