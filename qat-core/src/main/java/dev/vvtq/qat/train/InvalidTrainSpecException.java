package dev.vvtq.qat.train;

import java.util.List;

/** A training spec with one or more invalid fields; the message lists each field and reason. */
public final class InvalidTrainSpecException extends IllegalArgumentException {
  private final List<TrainSpec.Violation> violations;

  public InvalidTrainSpecException(List<TrainSpec.Violation> violations) {
    super("invalid training spec: " + String.join("; ", violations.stream().map(Object::toString).toList()));
    this.violations = List.copyOf(violations);
  }

  /** The individual problems. */
  public List<TrainSpec.Violation> violations() {
    return violations;
  }
}
