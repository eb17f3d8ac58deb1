package dev.vvtq.cli;

import picocli.CommandLine;

/** The version from the jar manifest, or "development" when run from classes. */
final class VersionProvider implements CommandLine.IVersionProvider {
  @Override
  public String[] getVersion() {
    String v = VersionProvider.class.getPackage().getImplementationVersion();
    return new String[] {"vvtq " + (v != null ? v : "development") + " (Java " + Runtime.version() + ")"};
  }
}
