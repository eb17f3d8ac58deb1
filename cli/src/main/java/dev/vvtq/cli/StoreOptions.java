package dev.vvtq.cli;

import dev.vvtq.artifacts.store.ArtifactStore;
import dev.vvtq.artifacts.store.ArtifactStores;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** Options that choose the artifact store (a folder or an S3 bucket), shared by several commands. */
public final class StoreOptions {
  /** The default store: a folder beside the data the main job writes (ignored by git). */
  static final String DEFAULT_LOCATION = "work/artifacts";

  @Option(names = {"--save_checkpoint_path", "--store"}, paramLabel = "LOCATION", defaultValue = DEFAULT_LOCATION,
      description = {"Artifact store: a local folder (default: ${DEFAULT-VALUE}) or s3://bucket/prefix.",
          "Runs go to runs/<run-id>/ inside it, soft labels to softlabels/<name>/, models to models/<name>/<version>/."})
  String location;

  @Option(names = "--store-option", paramLabel = "KEY=VALUE",
      description = "S3 setting, repeatable: endpoint, region, path-style, access-key, secret-key, max-attempts."
          + " Without access-key/secret-key the AWS default credential chain is used.")
  Map<String, String> options = new LinkedHashMap<>();

  /** Opens the store. */
  public ArtifactStore open() throws IOException {
    return ArtifactStores.open(location, options);
  }
}
