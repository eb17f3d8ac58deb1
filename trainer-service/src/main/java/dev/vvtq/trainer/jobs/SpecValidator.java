package dev.vvtq.trainer.jobs;

import dev.vvtq.artifacts.manifest.Manifest;
import dev.vvtq.artifacts.store.ArtifactLayout;
import dev.vvtq.artifacts.store.ArtifactStore;
import dev.vvtq.proto.v1.LabelSpec;
import dev.vvtq.qat.checkpoint.CheckpointKeys;
import dev.vvtq.qat.model.DeitModels;
import dev.vvtq.qat.train.TrainSpec;
import dev.vvtq.qat.train.TrainSpec.Violation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks a job spec before it is queued: the library's own rules, and what only the service can
 * check cheaply (folders on this machine, artifacts in this store).
 */
final class SpecValidator {

  private final ArtifactStore store;

  SpecValidator(ArtifactStore store) {
    this.store = store;
  }

  /** Every problem of a training spec, or an empty list. */
  List<Violation> train(dev.vvtq.proto.v1.TrainSpec request, TrainSpec spec) throws IOException {
    List<Violation> v = new ArrayList<>(spec.violations());
    String asked = request.getSaveCheckpointPath();
    if (!asked.isBlank() && !asked.equals(spec.saveCheckpointPath())) {
      v.add(new Violation("save_checkpoint_path", "this service writes to its own store (" + spec.saveCheckpointPath()
          + "); leave it empty, got '" + asked + "'"));
    }
    if (spec.data() != null) {
      for (String split : new String[] {"train", "val"}) {
        if (!Files.isDirectory(Path.of(spec.data(), split))) {
          v.add(new Violation("data", "no " + split + "/ folder under '" + spec.data() + "' on the trainer's machine"));
        }
      }
    }
    if (spec.usesSoftLabels() && !Files.isDirectory(Path.of(spec.softlabelPath()))
        && !store.exists(spec.softlabelPath() + "/" + Manifest.FILE_NAME)) {
      v.add(new Violation("softlabel_path", "'" + spec.softlabelPath()
          + "' is neither a folder on the trainer's machine nor published soft labels in the store"));
    }
    checkCheckpoint(v, "finetune", spec.finetune());
    checkCheckpoint(v, "resume", spec.resume());
    return v;
  }

  /** Every problem of a label spec, or an empty list. */
  List<Violation> label(LabelSpec s) throws IOException {
    List<Violation> v = new ArrayList<>();
    if (s.getTeacherCheckpoint().isBlank()) {
      v.add(new Violation("teacher_checkpoint", "required: a checkpoint key (runs/<id>@best) or a path"));
    } else {
      checkCheckpoint(v, "teacher_checkpoint", s.getTeacherCheckpoint());
    }
    if (!s.getTeacherModel().isEmpty()) {
      try {
        DeitModels.get(s.getTeacherModel(), -1, -1);
      } catch (IllegalArgumentException e) {
        v.add(new Violation("teacher_model", e.getMessage()));
      }
    }
    if (s.getData().isBlank()) {
      v.add(new Violation("data", "required: an ImageFolder root with train/"));
    } else if (!Files.isDirectory(Path.of(s.getData(), "train"))) {
      v.add(new Violation("data", "no train/ folder under '" + s.getData() + "' on the trainer's machine"));
    }
    if (!ArtifactLayout.isValidSegment(s.getOutName())) {
      v.add(new Violation("out_name", "use letters, digits, '.', '_' and '-' (up to 128), got '" + s.getOutName() + "'"));
    }
    positive(v, "crops", s.hasCrops(), s.getCrops());
    positive(v, "topk", s.hasTopk(), s.getTopk());
    positive(v, "batch_size", s.hasBatchSize(), s.getBatchSize());
    positive(v, "input_size", s.hasInputSize(), s.getInputSize());
    if (s.hasMinCropScale() && !(s.getMinCropScale() > 0 && s.getMinCropScale() <= 1)) {
      v.add(new Violation("min_crop_scale", "must be in (0, 1], got " + s.getMinCropScale()));
    }
    return v;
  }

  private static void positive(List<Violation> v, String field, boolean set, int value) {
    if (set && value < 1) {
      v.add(new Violation(field, "must be >= 1, got " + value));
    }
  }

  private void checkCheckpoint(List<Violation> v, String field, String ref) throws IOException {
    if (ref == null || ref.isBlank()) {
      return;
    }
    if (CheckpointKeys.isStoreRef(ref)) {
      if (CheckpointKeys.resolve(store, ref).isEmpty()) {
        v.add(new Violation(field, "no checkpoint '" + ref + "' in the store"));
      }
    } else if (!Files.exists(Path.of(ref))) {
      v.add(new Violation(field, "'" + ref + "' is neither a checkpoint key (runs/<id>[@best]) nor a path on the trainer's machine"));
    }
  }
}
