package dev.vvtq.qat.torch;

import java.io.IOException;

/**
 * A checkpoint's pickle asked for something outside the allow-list (a global other than the torch
 * tensor and storage constructors and {@code collections.OrderedDict}, or an opcode that builds
 * arbitrary objects). Such a file may run code when PyTorch loads it.
 */
public final class DisallowedPickleException extends IOException {
  public DisallowedPickleException(String message) {
    super(message);
  }
}
