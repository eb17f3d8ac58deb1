package dev.vvtq.trainer.jobs;

import dev.vvtq.artifacts.errors.ErrorKind;
import dev.vvtq.artifacts.errors.LibraryError;
import dev.vvtq.qat.train.TrainSpec.Violation;
import java.util.List;
import java.util.stream.Collectors;

/** A job spec with bad fields; the message names each field and why. */
public final class InvalidSpecException extends RuntimeException implements LibraryError {
  private final List<Violation> violations;

  public InvalidSpecException(String what, List<Violation> violations) {
    super("invalid " + what + ": " + violations.stream().map(Violation::toString).collect(Collectors.joining("; ")));
    this.violations = List.copyOf(violations);
  }

  public List<Violation> violations() {
    return violations;
  }

  @Override
  public ErrorKind kind() {
    return ErrorKind.INVALID;
  }
}
