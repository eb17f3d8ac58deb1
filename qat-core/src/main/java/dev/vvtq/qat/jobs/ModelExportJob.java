package dev.vvtq.qat.jobs;

import dev.vvtq.artifacts.errors.ConflictException;
import dev.vvtq.artifacts.errors.UnsuitableArtifactException;
import dev.vvtq.artifacts.manifest.FileEntry;
import dev.vvtq.artifacts.manifest.Manifest;
import dev.vvtq.artifacts.store.ArtifactLayout;
import dev.vvtq.artifacts.store.ArtifactStore;
import dev.vvtq.artifacts.store.LocalFolderStore;
import dev.vvtq.qat.data.ImageFolder;
import dev.vvtq.qat.export.IntegerModelExporter;
import dev.vvtq.qat.model.DeitConfig;
import dev.vvtq.qat.model.IntegerModelView;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The export use case ({@code vvtq export}, the pipeline's export stage, the trainer service's
 * ExportModel): a quantized checkpoint packed as an integer model, published in the store as {@code
 * models/<name>/<version>} or written into a local folder.
 */
public final class ModelExportJob {
  public static final String DEFAULT_VERSION = "1";

  private ModelExportJob() {}

  /**
   * What to export.
   *
   * @param checkpoint the quantized checkpoint (a folder, a file or a store key such as {@code runs/<id>@best})
   * @param name the model's name in the store; null for the checkpoint's run id (else its architecture)
   * @param version the model's version in the store
   * @param folder a local folder to write the model into instead of the store, or null
   * @param classNamesFrom an ImageFolder root whose class names are used, or null for the checkpoint's own
   * @param replace whether an already published {@code models/<name>/<version>} may be replaced
   */
  public record Spec(String checkpoint, String name, String version, Path folder, Path classNamesFrom, boolean replace) {
    public Spec {
      if (checkpoint == null || checkpoint.isBlank()) {
        throw new IllegalArgumentException("checkpoint: a quantized checkpoint (runs/<id>@best, a folder or a file) is required");
      }
      version = version == null || version.isEmpty() ? DEFAULT_VERSION : version;
      if ((name != null && !ArtifactLayout.isValidSegment(name)) || !ArtifactLayout.isValidSegment(version)) {
        throw new IllegalArgumentException("name and version: letters, digits, '.', '_' and '-', got '" + name + "' / '"
            + version + "'");
      }
    }

    /** Into the store as {@code models/<name>/<version>}. */
    public static Spec toStore(String checkpoint, String name, String version, boolean replace) {
      return new Spec(checkpoint, name, version, null, null, replace);
    }
  }

  /**
   * What was exported: where ({@code where} is the store key or the folder), from which checkpoint,
   * and the sizes of the packed model and of the FP32 weights it replaces.
   */
  public record Result(Manifest manifest, String where, String checkpoint, DeitConfig config, List<String> classNames,
      long packedBytes, long fp32Bytes, FileEntry modelFile) {}

  /**
   * Runs the export.
   *
   * @throws ConflictException when the target is published already and {@code replace} is false
   * @throws UnsuitableArtifactException when the checkpoint records no class names (and none are
   *     given) or is not a quantized model the integer format can hold
   */
  public static Result run(Spec spec, ArtifactStore store, Path scratchParent) throws IOException {
    if (spec.name() != null) {
      requireFree(spec, store, ArtifactLayout.model(spec.name(), spec.version()));
    }
    try (OpenedCheckpoint c = OpenedCheckpoint.open(store, spec.checkpoint(), scratchParent)) {
      String name = spec.name() != null ? spec.name() : c.runId().orElse(c.config().name());
      String key = ArtifactLayout.model(name, spec.version());
      requireFree(spec, store, key);
      List<String> classes = spec.classNamesFrom() != null ? ImageFolder.split(spec.classNamesFrom(), "train").classes()
          : c.classNames().orElseThrow(() -> new UnsuitableArtifactException(spec.checkpoint()
              + " records no class names; give an ImageFolder to take them from (vvtq export --data DIR)"));
      IntegerModelView view;
      try {
        view = IntegerModelView.of(c.model());
      } catch (IllegalArgumentException e) {
        throw new UnsuitableArtifactException(spec.checkpoint() + " cannot be exported: " + e.getMessage());
      }
      Manifest m;
      String where;
      if (spec.folder() != null) {
        Path abs = spec.folder().toAbsolutePath();
        Files.createDirectories(abs.getParent());
        try (ArtifactStore local = new LocalFolderStore(abs.getParent())) {
          m = IntegerModelExporter.publish(view, classes, local, abs.getFileName().toString(), spec.checkpoint());
        }
        where = abs.toString();
      } else {
        m = IntegerModelExporter.publish(view, classes, store, key, spec.checkpoint());
        where = key;
      }
      long packed = m.files().values().stream().mapToLong(FileEntry::bytes).sum();
      return new Result(m, where, spec.checkpoint(), c.config(), classes, packed, 4 * c.model().networkParameterCount(),
          m.file("model.safetensors").orElseThrow());
    }
  }

  private static void requireFree(Spec spec, ArtifactStore store, String key) throws IOException {
    if (spec.folder() == null && !spec.replace() && store.exists(key + "/" + Manifest.FILE_NAME)) {
      throw new ConflictException(key + " is published already; set replace to overwrite it");
    }
  }
}
